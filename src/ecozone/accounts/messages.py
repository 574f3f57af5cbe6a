"""The account use cases' refusals as the admin pages show them: per form field, in Chinese.

The use cases name every problem in one English message (the API and the CLI
show it as it is); the pages split it into its problems and match each to
the field it concerns and a Chinese (or English) sentence. A problem no
pattern knows is shown as it came, under no field, so nothing is hidden.
"""

from __future__ import annotations

import re

#: The heading of a refusal that names several problems, joined with "; ".
_HEADING = re.compile(r"^user '.*?' not (?:created|changed): ")
# Problems are joined with "; ", which two of them also hold ("...long; it must have...",
# "...last active admin; make another user admin first").
_BETWEEN = re.compile(r"; (?!it must |make another )")

Patterns = tuple[tuple[re.Pattern[str], str, str, str], ...]


def patterns(*entries: tuple[str, str, str, str]) -> Patterns:
    """(regular expression, field, zh, en) entries, compiled."""
    return tuple((re.compile(pattern), field, zh, en) for pattern, field, zh, en in entries)


#: (pattern of one problem, form field, zh, en); groups fill {0}, {1}.
_PROBLEMS = patterns(
    (r"^username '(.*)' is not allowed", "username",
     "用户名“{0}”不可用：请用 2 至 64 个字母、数字或 . _ @ -，并以字母或数字开头",
     "User name '{0}' is not allowed: use 2 to 64 letters, digits or . _ @ -, "
     "starting with a letter or digit"),
    (r"^user '(.*)' exists already", "username",
     "用户名“{0}”已被使用", "User name '{0}' is taken"),
    (r"^unknown role '(.*)'", "role", "未知角色“{0}”", "Unknown role '{0}'"),
    (r"^password is (\d+) characters long; it must have at least (\d+)", "password",
     "密码只有 {0} 个字符，至少需要 {1} 个", "The password has {0} characters; it needs {1}"),
    (r"^password is longer than (\d+) characters", "password",
     "密码不能超过 {0} 个字符", "The password may have at most {0} characters"),
    (r"^password must not be the username", "password",
     "密码不能与用户名相同", "The password must not be the user name"),
    (r"^only a supervisor has a district", "district",
     "只有监管人员可以限定区县", "Only a supervisor is limited to a district"),
    (r"^no district named '(.*)' \(", "district",
     "没有名为“{0}”的区县", "No district named '{0}'"),
    (r"^an enterprise user must be bound to at least one enterprise", "enterprises",
     "企业用户至少要绑定一家企业", "An enterprise user needs at least one enterprise"),
    (r"^only an enterprise user is bound to enterprises", "enterprises",
     "只有企业用户可以绑定企业", "Only an enterprise user is bound to enterprises"),
    (r"^no enterprise with credit code (.*)$", "enterprises",
     "没有统一社会信用代码为 {0} 的企业", "No enterprise with credit code {0}"),
    (r"^(.*) is the last active admin", "active",
     "{0} 是最后一位在用的管理员，请先把另一位用户设为管理员",
     "{0} is the last active administrator; make another user an administrator first"),
    (r"^you cannot disable your own account", "active",
     "不能停用自己的账号，请由另一位管理员操作",
     "You cannot disable your own account; another administrator must do it"),
    (r"^you cannot give up your own admin role", "role",
     "不能取消自己的管理员角色，请由另一位管理员操作",
     "You cannot give up your own administrator role; another administrator must do it"),
    (r"^user '(.*)' is disabled; enable it before issuing a token", "username",
     "用户“{0}”已停用，启用后才能发放令牌",
     "User '{0}' is disabled; enable them before issuing a token"),
    (r"^token lifetime of (\d+) days is outside 1\.\.(\d+)", "days",
     "令牌有效期 {0} 天超出范围，应为 1 至 {1} 天",
     "A token lifetime of {0} days is outside 1 to {1}"),
    (r"^no user named '(.*)'", "username", "没有用户“{0}”", "No user '{0}'"),
    (r"^no API token with id (\d+)", "token", "没有编号为 {0} 的 API 令牌",
     "No API token with id {0}"),
)  # fmt: skip


def translate(problem: str, known: Patterns, lang: str) -> tuple[str | None, str]:
    """(field, sentence in `lang`) of one problem; (None, the problem) when no pattern knows it."""
    for pattern, field, zh, en in known:
        match = pattern.search(problem)
        if match:
            return field, (en if lang == "en" else zh).format(*match.groups())
    return None, problem


def explain(message: str, lang: str) -> list[tuple[str | None, str]]:
    """(form field or None, sentence in `lang`) for each problem of a use case's refusal."""
    problems, joined = _HEADING.subn("", message)
    parts = _BETWEEN.split(problems) if joined else [message]  # one problem: kept whole
    return [translate(p, _PROBLEMS, lang) for p in parts]
