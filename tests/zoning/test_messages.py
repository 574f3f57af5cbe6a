"""The refusals the pages show, in Chinese: the use cases' English messages matched."""

from ecozone.zoning.messages import refusal


def test_an_invalid_feature_is_named_in_chinese():
    message = "feature 'RL-2' (自相交图斑): invalid geometry: Self-intersection[106.85 29.65]"
    assert refusal(message, "zh") == (
        "要素“RL-2”（自相交图斑）几何无效（Self-intersection[106.85 29.65]），整个文件未导入"
    )
    assert refusal(message, "en") == message


def test_status_steps_dates_and_unknown_messages():
    assert refusal("a site listed cannot go to removed (allowed: under_control, remediation)",
                   "zh") == "地块状态“列入名录”不能变更为“移出名录”"  # fmt: skip
    assert refusal("listed on '2024-13-01': expected YYYY-MM-DD", "zh") == (
        "列入日期“2024-13-01”无效，请写作 2025-01-31")
    assert refusal("area (m²) 0: expected 0.01 to 1e+09", "zh") == "面积 0 超出范围（0.01 至 1e+09）"
    assert refusal("something new", "zh") == "something new"
