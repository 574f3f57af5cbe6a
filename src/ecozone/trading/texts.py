"""The ledger pages' texts (zh first, en second) and the formatting they share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecozone.trading.model import DISCHARGE_POLLUTANTS, Market
from ecozone.web.i18n import add_texts, t

add_texts(
    {
        "nav.trading": ("排污权与碳交易", "Allowance ledgers"),
        "nav.trading_admin": ("分配、审核与清缴", "Allocation and surrender"),
        "nav.trading_market": ("交易行情", "Market view"),
        "alert.allowance_shortfall": ("配额/排污权缺口", "Allowance shortfall"),
        "trading.title": ("排污权与碳排放权交易", "Discharge-rights and carbon ledgers"),
        "trading.lead": (
            "复式记账：每笔变动都有借贷两方、按品种合计为零；分录只增不改，更正以冲正分录完成；"
            "企业账户余额不得为负。交易由卖方报价、买方确认、监管部门审核后记账。",
            "Double entry: every movement has two sides summing to zero per unit; the journal "
            "is only appended to, a correction is a reversing entry; enterprise balances never "
            "go below zero. A trade is offered by the seller, accepted by the buyer and "
            "approved by the authority before it is posted.",
        ),
        "trading.enterprises": ("企业账户", "Enterprise accounts"),
        "trading.holdings": ("持有量", "Holdings"),
        "trading.journal": ("分录（只增不改）", "Journal (append-only)"),
        "trading.trades": ("交易", "Trades"),
        "trading.no_trades": ("暂无交易。", "No trade yet."),
        "trading.no_accounts": ("暂无账户。", "No account yet."),
        "trading.no_journal": ("暂无分录。", "No journal entry yet."),
        "trading.offer": ("卖方报价（协议转让）", "Offer to sell (bilateral)"),
        "trading.offer_button": ("提交报价", "Offer"),
        "trading.offer_confirm": (
            "确认向对方报价？对方确认并经监管部门审核后才记账。",
            "Send this offer? It is posted only after the buyer accepts and the authority "
            "approves.",
        ),
        "trading.offered": ("报价已提交，等待买方确认。", "Offer sent; waiting for the buyer."),
        "trading.seller": ("卖方", "Seller"),
        "trading.buyer": ("买方", "Buyer"),
        "trading.buyer_code": ("买方统一社会信用代码", "Buyer's credit code"),
        "trading.market": ("市场", "Market"),
        "trading.market.carbon": ("碳排放权（重庆）", "Carbon allowances (Chongqing)"),
        "trading.market.discharge": ("排污权", "Discharge rights"),
        "trading.instrument": ("品种", "Instrument"),
        "trading.vintage": ("年度", "Vintage"),
        "trading.quantity": ("数量", "Quantity"),
        "trading.unit": ("单位", "Unit"),
        "trading.price": ("单价（元）", "Price (¥)"),
        "trading.amount": ("金额（元）", "Value (¥)"),
        "trading.note": ("附言", "Note"),
        "trading.state": ("状态", "State"),
        "trading.state.offered": ("待买方确认", "Offered"),
        "trading.state.accepted": ("待审核", "Accepted, awaiting approval"),
        "trading.state.approved": ("已成交", "Approved and posted"),
        "trading.state.declined": ("买方已拒绝", "Declined"),
        "trading.state.withdrawn": ("卖方已撤回", "Withdrawn"),
        "trading.state.rejected": ("审核未通过", "Rejected"),
        "trading.step.accept": ("确认购买", "Accept"),
        "trading.step.decline": ("拒绝", "Decline"),
        "trading.step.withdraw": ("撤回", "Withdraw"),
        "trading.step.approve": ("审核通过并记账", "Approve and post"),
        "trading.step.reject": ("驳回", "Reject"),
        "trading.confirm.accept": (
            "确认按此数量和单价购买？监管部门审核后记账。",
            "Accept this quantity at this price? It is posted after approval.",
        ),
        "trading.confirm.decline": ("确认拒绝此报价？", "Decline this offer?"),
        "trading.confirm.withdraw": ("确认撤回此报价？", "Withdraw this offer?"),
        "trading.confirm.approve": (
            "审核通过后立即记账：卖方账户减少、买方账户增加，不可修改，只能冲正。确认？",
            "Approving posts the transfer at once; it cannot be changed, only reversed. "
            "Approve?",
        ),
        "trading.confirm.reject": ("确认驳回此交易？", "Reject this trade?"),
        "trading.done.accept": ("已确认，等待监管部门审核。", "Accepted; awaiting approval."),
        "trading.done.decline": ("已拒绝报价。", "Offer declined."),
        "trading.done.withdraw": ("报价已撤回。", "Offer withdrawn."),
        "trading.done.approve": ("交易已审核并记账。", "Trade approved and posted."),
        "trading.done.reject": ("交易已驳回。", "Trade rejected."),
        "trading.actions": ("操作", "Actions"),
        "trading.balance": ("余额", "Balance"),
        "trading.expires": ("有效期至", "Valid until"),
        "trading.kind": ("类型", "Kind"),
        "trading.kind.allocation": ("分配", "Allocation"),
        "trading.kind.trade": ("交易", "Trade"),
        "trading.kind.surrender": ("清缴", "Surrender"),
        "trading.kind.expiry": ("到期注销", "Expiry"),
        "trading.kind.reversal": ("冲正", "Reversal"),
        "trading.account_kind.enterprise": ("企业账户", "Enterprise"),
        "trading.account_kind.issuer": ("分配账户", "Issuer"),
        "trading.account_kind.retirement": ("注销账户", "Retirement"),
        "trading.account_kind.reserve": ("市场储备", "Market reserve"),
        "trading.txn": ("交易号", "Txn"),
        "trading.at": ("时间", "Time"),
        "trading.actor": ("操作人", "By"),
        "trading.reason": ("事由", "Why"),
        "trading.change": ("变动", "Change"),
        "trading.carbon_position": ("碳排放配额履约", "Carbon compliance"),
        "trading.discharge_position": ("排污权与许可排放量", "Discharge rights against permits"),
        "trading.year": ("履约年度", "Compliance year"),
        "trading.verified": ("核查排放量（tCO2e）", "Verified (tCO2e)"),
        "trading.surrendered": ("已清缴", "Surrendered"),
        "trading.outstanding": ("尚需清缴", "Outstanding"),
        "trading.usable": ("可用配额", "Usable holdings"),
        "trading.shortfall": ("缺口", "Shortfall"),
        "trading.deadline": ("清缴截止", "Deadline"),
        "trading.pollutant": ("污染物", "Pollutant"),
        "trading.permitted": ("许可排放量（t/a）", "Permitted (t/a)"),
        "trading.held": ("持有排污权（t/a）", "Held (t/a)"),
        "trading.no_position": ("暂无履约数据。", "Nothing to comply with yet."),
        "trading.open_file": ("账户明细", "Ledger"),
        "trading.market_title": ("交易行情", "Market view"),
        "trading.market_lead": (
            "已成交交易按月汇总：成交笔数、成交量、成交额、加权平均价与最高最低价；"
            "不显示交易双方。基准价为版本化参考数据，注明出处。",
            "Settled trades by month: count, volume, value, volume-weighted mean, low and "
            "high; no parties shown. Base prices are versioned reference data with sources.",
        ),
        "trading.period": ("月份", "Month"),
        "trading.count": ("成交笔数", "Trades"),
        "trading.volume": ("成交量", "Volume"),
        "trading.value": ("成交额（元）", "Value (¥)"),
        "trading.mean_price": ("加权均价（元）", "Mean price (¥)"),
        "trading.low": ("最低价", "Low"),
        "trading.high": ("最高价", "High"),
        "trading.base_price": ("基准价", "Base price"),
        "trading.edition": ("版本", "Edition"),
        "trading.source": ("出处", "Source"),
        "trading.show": ("查看", "Show"),
        "trading.chart_missing": ("图表库未加载。", "The chart library did not load."),
        "trading.no_series": ("暂无成交。", "No settled trade yet."),
    }
)


def qty(value: Any) -> str:
    """An exact quantity without trailing zeros: 32.5000 → 32.5, 1000.0000 → 1000."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


def instrument_name(market: str, instrument: str, lang: str) -> str:
    if Market(market) is Market.CARBON:
        return "CQEA 碳排放配额" if lang == "zh" else "CQEA allowance"
    return DISCHARGE_POLLUTANTS.get(instrument, instrument)


def unit_of(market: str) -> str:
    return "tCO2e" if Market(market) is Market.CARBON else "t/a"


def market_name(market: str, lang: str) -> str:
    return t(lang, f"trading.market.{market}")
