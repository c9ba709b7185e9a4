"""Figures: which numbers in a turn are facts about a metric, and with what value, unit, period, kind and basis."""

from decimal import Decimal

import pytest

from extract.figures import extract_figures
from extract.model import Basis, Change, FiscalPeriod, Kind, Paragraph, Section, Turn

CALL_PERIOD = FiscalPeriod(2025, 2)


def cfo_turn(*paragraphs: str) -> Turn:
    return Turn(order=3, speaker="Carol King", title="Chief Financial Officer", is_operator=False,
                section=Section.PREPARED_REMARKS, paragraphs=tuple(Paragraph(p) for p in paragraphs))


def figures_of(*paragraphs: str, all_non_gaap: bool = False):
    turn = cfo_turn(*paragraphs)
    return turn, extract_figures(turn, CALL_PERIOD, all_non_gaap, "Carol King")


def the_one(figures, metric: str, **fields):
    found = [f for f in figures if f.metric == metric and all(getattr(f, k) == v for k, v in fields.items())]
    assert len(found) == 1, f"expected one {metric} {fields} figure, got {figures}"
    return found[0]


def test_reported_revenue_is_in_whole_dollars_with_the_words_it_was_read_from():
    turn, figures = figures_of("Revenue was $242 million, a record for the company.")

    revenue = the_one(figures, "Revenue")
    assert revenue.value == Decimal("242000000")
    assert isinstance(revenue.value, Decimal)
    assert (revenue.low, revenue.high) == (None, None)
    assert revenue.unit == "USD"
    assert revenue.kind == Kind.REPORTED
    assert revenue.period == CALL_PERIOD
    assert revenue.basis is None and revenue.change is None
    assert revenue.speaker == "Carol King"
    assert revenue.span.quote == "Revenue was $242 million"
    assert turn.text[revenue.span.start:revenue.span.end] == revenue.span.quote


def test_offsets_of_a_figure_in_a_later_paragraph_point_into_the_whole_turn_text():
    turn, figures = figures_of("Thank you, Bob.", "Revenue for the quarter was $242 million, a record.")

    revenue = the_one(figures, "Revenue")
    assert revenue.span.turn == 3
    assert revenue.span.paragraph == 2
    assert revenue.span.start > len("Thank you, Bob.")
    assert turn.text[revenue.span.start:revenue.span.end] == revenue.span.quote == "Revenue for the quarter was $242 million"


def test_guidance_range_keeps_low_and_high_for_the_quarter_it_names():
    turn, figures = figures_of(
        "Our revenue outlook for the third quarter of 2025 is between $243 million and $249 million.")

    outlook = the_one(figures, "Revenue")
    assert outlook.value is None
    assert (outlook.low, outlook.high) == (Decimal("243000000"), Decimal("249000000"))
    assert outlook.unit == "USD"
    assert outlook.kind == Kind.GUIDANCE
    assert outlook.period == FiscalPeriod(2025, 3)
    assert turn.text[outlook.span.start:outlook.span.end] == outlook.span.quote
    assert "$243 million and $249 million" in outlook.span.quote


def test_non_gaap_gross_margin_is_a_non_gaap_percentage():
    _, figures = figures_of("We delivered non-GAAP gross margin of 56.8%, a record.")

    margin = the_one(figures, "GrossMargin")
    assert margin.value == Decimal("56.8")
    assert margin.unit == "Percent"
    assert margin.basis == Basis.NON_GAAP
    assert margin.kind == Kind.REPORTED


def test_gaap_gross_margin_is_a_gaap_percentage():
    _, figures = figures_of("GAAP gross margin was 42.8%.")

    margin = the_one(figures, "GrossMargin")
    assert margin.value == Decimal("42.8")
    assert margin.unit == "Percent"
    assert margin.basis == Basis.GAAP


def test_gaap_gross_margin_that_came_in_at_a_percentage_is_gaap():
    _, figures = figures_of("GAAP gross margin came in at 42.8%.")

    margin = the_one(figures, "GrossMargin")
    assert margin.value == Decimal("42.8")
    assert margin.basis == Basis.GAAP


def test_revenue_that_came_in_at_an_amount_is_reported():
    _, figures = figures_of("Revenue came in at $242 million.")

    assert the_one(figures, "Revenue", unit="USD").value == Decimal("242000000")


def test_percentage_up_sequentially_is_a_sequential_change_of_the_metric():
    _, figures = figures_of("Revenue was $242 million, up 5% sequentially.")

    level = the_one(figures, "Revenue", unit="USD")
    assert level.change is None
    change = the_one(figures, "Revenue", unit="Percent")
    assert change.value == Decimal("5")
    assert change.change == Change.SEQUENTIAL
    assert change.kind == Kind.REPORTED


def test_days_down_sequentially_is_a_negative_change_in_days():
    _, figures = figures_of("DSO was 45 days, down 6 days sequentially.")

    assert the_one(figures, "DaysSalesOutstanding", change=None).value == Decimal("45")
    change = the_one(figures, "DaysSalesOutstanding", change=Change.SEQUENTIAL)
    assert change.value == Decimal("-6")
    assert change.unit == "Days"


def test_net_loss_is_negative_net_income():
    _, figures = figures_of("We reported a net loss of $4.1 million.")

    loss = the_one(figures, "NetIncome")
    assert loss.value == Decimal("-4100000")
    assert loss.unit == "USD"


def test_new_customers_are_a_count():
    _, figures = figures_of("We added 18 new customers in the quarter.")

    added = the_one(figures, "NewCustomers")
    assert added.value == Decimal("18")
    assert added.unit == "Count"
    assert added.span.quote == "18 new customers"


def test_target_financial_model_range_is_a_target_not_a_reported_figure():
    _, figures = figures_of(
        "Gross margin remains within our target financial model of 100 to 200 basis points of annual expansion.")

    target = the_one(figures, "GrossMargin")
    assert target.kind == Kind.TARGET
    assert (target.low, target.high) == (Decimal("100"), Decimal("200"))
    assert target.unit == "BasisPoints"


def test_all_non_gaap_call_makes_financial_figures_non_gaap_but_not_operating_ones():
    _, figures = figures_of("Revenue was $242 million. DSO was 45 days.", all_non_gaap=True)

    assert the_one(figures, "Revenue").basis == Basis.NON_GAAP
    assert the_one(figures, "DaysSalesOutstanding").basis is None


def test_without_all_non_gaap_an_unqualified_figure_has_no_basis():
    _, figures = figures_of("Revenue was $242 million.", all_non_gaap=False)

    assert the_one(figures, "Revenue").basis is None


def test_an_amount_per_month_per_subscriber_is_not_a_revenue_figure():
    _, figures = figures_of("Revenue was $242 million, and each service adds $10 of revenue per month per subscriber.")

    revenues = [f for f in figures if f.metric == "Revenue"]
    assert [f.value for f in revenues] == [Decimal("242000000")]


def test_an_amount_per_month_per_subscriber_alone_yields_no_figure():
    _, figures = figures_of("Each managed service adds $10 of revenue per month per subscriber.")

    assert figures == []


def test_the_average_price_of_a_repurchase_is_not_a_repurchase_figure():
    _, figures = figures_of("We repurchased $7 million of stock at an average price of $35.")

    repurchases = [f for f in figures if f.metric == "ShareRepurchase"]
    assert [f.value for f in repurchases] == [Decimal("7000000")]
    assert all(f.value != Decimal("35") for f in figures)


def test_shares_bought_at_an_average_price_alone_yield_no_figure():
    _, figures = figures_of("We repurchased 200,000 shares at an average price of $35.")

    assert figures == []


def test_a_figure_for_the_calls_own_year_said_as_an_outlook_is_guidance_for_that_year():
    _, figures = figures_of("We now expect revenue for 2025 to be $1 billion.")

    outlook = the_one(figures, "Revenue")
    assert outlook.kind == Kind.GUIDANCE
    assert outlook.period == FiscalPeriod(2025)


def test_a_metric_framed_as_the_topic_binds_across_the_clauses_that_follow_it():
    _, figures = figures_of("As for 2026 revenue growth, well, Dana, we think we'll get back to 8% to 12%.")

    outlook = the_one(figures, "Revenue")
    assert (outlook.low, outlook.high) == (Decimal("8"), Decimal("12"))
    assert outlook.unit == "Percent"
    assert outlook.change == Change.YEAR_OVER_YEAR
    assert outlook.kind == Kind.GUIDANCE
    assert outlook.period == FiscalPeriod(2026)


def test_a_rate_the_company_will_grow_at_per_quarter_is_sequential_revenue_guidance_for_the_year_named():
    _, figures = figures_of("Two quarters ago, we said that we would grow at 2% to 4% per quarter. "
                            "We expect to end 2026 near the top of that.")

    outlook = the_one(figures, "Revenue")
    assert (outlook.low, outlook.high) == (Decimal("2"), Decimal("4"))
    assert outlook.change == Change.SEQUENTIAL
    assert outlook.kind == Kind.GUIDANCE
    assert outlook.period == FiscalPeriod(2026)
    assert outlook.span.quote == "we would grow at 2% to 4%"


def test_when_something_was_said_is_not_the_period_of_what_was_said():
    _, figures = figures_of("Last quarter, we said we will grow 3% per quarter.")

    outlook = the_one(figures, "Revenue")
    assert outlook.kind == Kind.GUIDANCE
    assert outlook.period == FiscalPeriod(2025)  # a Q2 call: the rest of this year, not last quarter


def test_what_the_company_grew_is_not_assumed_to_be_revenue():
    _, figures = figures_of("Our consumer business delivered 62% growth, and we grew 20% in Europe.")

    assert figures == []


def test_a_bare_range_that_restates_an_earlier_figure_takes_its_metric_unit_and_period():
    _, earlier = figures_of("Our target financial model is gross margin expansion of 50 to 150 basis points per year.")
    turn = cfo_turn("I'd just repeat, Sam, that we still think we can deliver between 50 and 150, even with freight costs.")
    figures = extract_figures(turn, CALL_PERIOD, False, "Carol King", earlier)

    restated = the_one(figures, "GrossMargin")
    assert restated.unit == "BasisPoints"
    assert (restated.low, restated.high) == (Decimal("50"), Decimal("150"))
    assert restated.period == the_one(earlier, "GrossMargin").period
    assert restated.kind == Kind.GUIDANCE  # "we still think we can deliver": an expectation, not the model
    assert restated.span.quote == "between 50 and 150"


def test_a_bare_range_nobody_stated_before_is_no_figure():
    _, figures = figures_of("We still think we can deliver between 50 and 150, even with freight costs.")

    assert figures == []


def test_a_growth_rate_after_a_restated_range_is_of_the_same_metric_and_period():
    _, earlier = figures_of("For 2026, our revenue growth target range is 5% to 10%.")
    turn = cfo_turn("We are now heading to the upper end of our 5% to 10% range, meaning closer to 10% growth.")
    figures = extract_figures(turn, CALL_PERIOD, False, "Carol King", earlier)

    growth = the_one(figures, "Revenue", value=Decimal("10"))
    assert growth.change == Change.YEAR_OVER_YEAR
    assert growth.unit == "Percent"
    assert growth.period == FiscalPeriod(2026)
    assert growth.kind == Kind.GUIDANCE
    assert growth.span.quote == "10% growth"


def test_an_amount_somewhere_under_a_figure_is_its_ceiling():
    _, figures = figures_of("So we see full-year revenue for 2025 coming in somewhere under $900 million.")

    outlook = the_one(figures, "Revenue")
    assert (outlook.value, outlook.low, outlook.high) == (None, None, Decimal("900000000"))
    assert outlook.kind == Kind.GUIDANCE


def test_a_measure_outside_the_vocabulary_keeps_its_numbers_from_the_metric_before_it():
    _, figures = figures_of("Revenue was $100 million and adjusted EBITDA was $20 million. "
                            "Inventory declined 36% year over year.")

    assert [(f.metric, f.value) for f in figures] == [("Revenue", Decimal("100000000"))]


def test_an_amount_per_share_after_net_income_is_earnings_per_share():
    _, figures = figures_of("Net income was $52 million, or $1.04 per diluted share, and a year ago it was a loss of 9 cents.")

    assert the_one(figures, "NetIncome").value == Decimal("52000000")
    assert the_one(figures, "EarningsPerShare", value=Decimal("1.04")).unit == "USD"
    assert all(f.metric != "NetIncome" or f.value > 1000 for f in figures)


def test_a_range_in_cents_is_one_earnings_per_share_range():
    _, figures = figures_of("We expect EPS for the third quarter to be between 41 cents and 45 cents.")

    outlook = the_one(figures, "EarningsPerShare")
    assert (outlook.value, outlook.low, outlook.high) == (None, Decimal("0.41"), Decimal("0.45"))
    assert outlook.kind == Kind.GUIDANCE


def test_cents_are_never_a_revenue_figure():
    _, figures = figures_of("Revenue was $90 million, up 5 cents per unit sequentially.")

    assert [f.value for f in figures] == [Decimal("90000000")]


def test_a_decrease_stated_as_a_range_is_a_range_of_negative_changes():
    _, figures = figures_of("We expect third-quarter revenue to be $80 million to $85 million, a decrease of 12% to 7% year over year.")

    change = the_one(figures, "Revenue", unit="Percent")
    assert (change.low, change.high) == (Decimal("-12"), Decimal("-7"))
    assert change.change == Change.YEAR_OVER_YEAR


def test_a_range_that_gives_the_dollar_sign_and_scale_only_on_its_high_end_is_one_range():
    _, figures = figures_of("We expect revenue for the third quarter to be between 115 and $125 million, "
                            "and operating expenses to range from eight to $9 million.")

    assert (the_one(figures, "Revenue").low, the_one(figures, "Revenue").high) == (Decimal("115000000"), Decimal("125000000"))
    opex = the_one(figures, "OperatingExpenses")
    assert (opex.value, opex.low, opex.high) == (None, Decimal("8000000"), Decimal("9000000"))


def test_a_year_before_an_amount_is_not_the_low_end_of_a_range():
    _, figures = figures_of("Revenue grew in 2024 and $5 million came from new customers.")

    assert all(f.low is None for f in figures)


def test_each_amount_of_a_comparison_list_takes_the_period_said_right_after_it():
    _, figures = figures_of("Revenue came in at $250 million, compared to $240 million in the prior quarter, "
                            "and $200 million for the second quarter of 2024.")

    assert the_one(figures, "Revenue", value=Decimal("250000000")).period == CALL_PERIOD
    assert the_one(figures, "Revenue", value=Decimal("200000000")).period == FiscalPeriod(2024, 2)


def test_a_percentage_range_whose_low_end_is_a_word_is_one_range():
    _, figures = figures_of("Operating expenses are expected to increase between eight and 10% sequentially.")

    outlook = the_one(figures, "OperatingExpenses")
    assert (outlook.value, outlook.low, outlook.high) == (None, Decimal("8"), Decimal("10"))
    assert outlook.change == Change.SEQUENTIAL


def test_an_income_statement_benefit_is_not_net_income():
    _, figures = figures_of("We recorded a net income statement benefit of $1.7 million.")

    assert figures == []


@pytest.mark.parametrize("sentence, value", [
    ("Net sales were 58 million, down 4.1% compared with the prior year.", Decimal("58000000")),
    ("Revenue for the quarter was 30.1 million dollars.", Decimal("30100000")),
    ("Total revenue was 1.2 billion in the second quarter.", Decimal("1200000000")),
    ("Revenue was 30 million, as the euro weakened and resin rose to 3 million pounds.", Decimal("30000000")),
])
def test_an_amount_without_a_dollar_sign_is_money_for_a_money_metric(sentence, value):
    """Speech-to-text transcripts write "58 million", not "$58 million"."""
    _, figures = figures_of(sentence)
    revenue = the_one(figures, "Revenue", unit="USD")
    assert revenue.value == value and revenue.kind == Kind.REPORTED and revenue.period == CALL_PERIOD


@pytest.mark.parametrize("sentence", [
    "Revenue grew as app downloads reached 47 million downloads this quarter.",
    "Revenues in the second quarter were RMB 281.3 million.",
    "Net sales for the first six months totaled 419.4 million.",
    "Net sales for the first six months totaled $419.4 million, up 3% year over year.",
    "Year-to-date revenue was $51 million.",
    "Diluted EPS were 1.2 billion in the quarter.",
    "Revenue rose as we shipped 2 million units.",
])
def test_millions_of_something_else_or_of_six_months_are_no_money_figure(sentence):
    _, figures = figures_of(sentence)
    assert not [f for f in figures if f.metric == "Revenue" or f.unit == "USD"], figures


def test_a_bare_range_of_millions_is_one_range():
    _, figures = figures_of("For the full year we now expect revenue between 86 and 88 million.")
    revenue = the_one(figures, "Revenue")
    assert (revenue.value, revenue.low, revenue.high) == (None, Decimal("86000000"), Decimal("88000000"))
    assert revenue.kind == Kind.GUIDANCE and revenue.unit == "USD"


def test_a_decline_named_after_the_rate_makes_it_negative():
    _, figures = figures_of("Revenue saw a 28% year-over-year decline in the quarter.")
    assert the_one(figures, "Revenue", unit="Percent").value == Decimal("-28")


def test_real_estate_measures_are_not_given_to_revenue():
    _, figures = figures_of("We reported revenues of $29.6 million, NOI of $14.5 million and AFFO of $2.9 million.")
    assert [f.value for f in figures if f.metric == "Revenue"] == [Decimal("29600000")]


@pytest.mark.parametrize("sentence, expected", [
    ("Revenue was $50 million, bringing our first half total to $95 million.", [("USD", Decimal("50000000"))]),
    ("Revenue was $110 million, up 12% year over year, and our year-to-date growth is 10%.",
     [("USD", Decimal("110000000")), ("Percent", Decimal("12"))]),
    ("Revenue was $110 million, the highest since the first half of 2019.", [("USD", Decimal("110000000"))]),
    ("Revenue grew 5% despite a decline in volumes.", [("Percent", Decimal("5"))]),
    ("Revenue was $90 million, a 5% constant currency decline.", [("USD", Decimal("90000000")), ("Percent", Decimal("-5"))]),
    ("For the first six months, revenue was $419 million.", []),
    ("Net revenue for the first six months of fiscal 2020 on a consolidated basis was $419 million.", []),
    ("We generated $419 million in net revenue during the first six months.", []),
    ("Revenue for the first six months was $419 million, up from $400 million last year.", []),
    ("Top line revenue was 40 million.", [("USD", Decimal("40000000"))]),
    ("Revenue from continuing operations was 40 million.", [("USD", Decimal("40000000"))]),
    ("We expect revenue of 850 million to 1.15 billion euros.", []),
    ("Revenue was 30 million in Canadian dollars.", []),
    ("Revenue grew as subscribers reached 2 million in the quarter.", []),
])
def test_what_the_first_half_a_decline_or_a_currency_nearby_does_not_change(sentence, expected):
    """Review cases: a half-year or year-to-date phrase only removes the amount it is said of, a
    decline of something else does not make growth negative, and bare amounts are dollars only
    when nothing says otherwise."""
    _, figures = figures_of(sentence)
    assert [(f.unit, f.value if f.value is not None else (f.low, f.high)) for f in figures if f.metric == "Revenue"] == expected


def test_a_quarter_named_after_a_year_to_date_amount_keeps_the_quarters():
    _, figures = figures_of("Year-to-date free cash flow was $120 million, or $40 million in the quarter.")
    assert [f.value for f in figures] == [Decimal("40000000")]


def test_shares_bought_back_are_a_count_and_what_they_cost_is_money():
    _, figures = figures_of("We bought back 2 million shares for 30 million.")
    assert [(f.metric, f.value) for f in figures] == [("ShareRepurchase", Decimal("30000000"))]


def test_non_gaap_written_with_a_space_after_the_hyphen_is_non_gaap():
    _, figures = figures_of("Non- GAAP gross margin for the quarter was 45.2%.")
    assert the_one(figures, "GrossMargin").basis == Basis.NON_GAAP


@pytest.mark.parametrize("paragraph", [
    # the change is of another noun, named between the metric and the number
    "Revenue was $50 million, helped by our app downloads, up 40% year over year.",
    "Revenue was $50 million. Expenses declined by $5 million, or 8%.",
    "Revenue was $50 million. Capital spending increased by 10% over the same quarter last year.",
    "Revenue was $50 million. Sales in the east were $20 million, up 15% sequentially.",
    # figures that are not the company's own
    "Revenue was $50 million. According to the trade association, unit sales grew 12% year over year.",
    "Revenue was $50 million. For example, one contract brings revenue of $2 million a year.",
])
def test_a_number_of_another_subject_is_not_the_metric_before_it(paragraph):
    _, figures = figures_of(paragraph)
    assert [(f.metric, f.value) for f in figures] == [("Revenue", Decimal("50000000"))]


@pytest.mark.parametrize("sentence, metric, value, change", [
    ("Revenue was $30 million, up 10% over the same quarter last year.", "Revenue", "10", Change.YEAR_OVER_YEAR),
    ("Net income decreased 25% year on year.", "NetIncome", "-25", Change.YEAR_OVER_YEAR),
    ("Gross margin was 50%, up 200 basis points over Q1.", "GrossMargin", "200", Change.SEQUENTIAL),
    ("Gross margin increased 200 basis points from Q1 to Q2.", "GrossMargin", "200", Change.SEQUENTIAL),
])
def test_the_comparison_named_after_a_change_gives_its_kind_and_the_quarter_is_its_base(sentence, metric, value, change):
    _, figures = figures_of(sentence)
    f = the_one(figures, metric, unit="BasisPoints" if "basis" in sentence else "Percent")
    assert (f.value, f.change, f.period) == (Decimal(value), change, CALL_PERIOD)


def test_a_change_with_no_subject_still_takes_the_metric_of_the_sentence_before():
    _, figures = figures_of("Remaining performance obligations were $110 million. Up 7% sequentially and up 29% year over year.")
    assert {(f.value, f.change) for f in figures if f.unit == "Percent"} == {
        (Decimal("7"), Change.SEQUENTIAL), (Decimal("29"), Change.YEAR_OVER_YEAR)}


def test_net_earnings_per_share_is_earnings_per_share():
    _, figures = figures_of("Adjusted diluted net earnings per common share were $1.05.")
    assert [(f.metric, f.value) for f in figures] == [("EarningsPerShare", Decimal("1.05"))]


@pytest.mark.parametrize("sentence", [
    "Our retail revenue for the quarter was $61 million.",
    "Online net sales increased 9% to $88 million.",
    "Our parts and repair revenue was $12 million.",
    "Widgetco's gross margin declined 90 basis points.",
    "In Asia, our revenue from new markets is up 40% year over year.",
    "Revenue for our home products category was $27 million.",
    "Revenue from our retail stores was 40 million.",
])
def test_a_segments_figure_is_not_stored_as_the_companys(sentence):
    _, figures = figures_of(sentence)
    assert figures == []


@pytest.mark.parametrize("sentence, metric", [
    ("Total revenue for the quarter was $92 million.", "Revenue"),
    ("We delivered record revenue of $92 million.", "Revenue"),
    ("Same-store revenue was $92 million.", "Revenue"),
    ("Non-GAAP gross margin was 54.1%.", "GrossMargin"),
    ("Acme's gross margin was 54.1%.", "GrossMargin"),  # the company's own, by its name
])
def test_the_companys_own_figure_keeps_its_metric(sentence, metric):
    turn = cfo_turn(sentence)
    figures = extract_figures(turn, CALL_PERIOD, False, "Carol King", company="Acme Corporation")
    assert [f.metric for f in figures] == [metric]


def test_an_amount_compared_with_the_prior_year_period_is_of_that_quarter_a_year_before():
    _, figures = figures_of("Net income was $4.2 million, or $0.30 per share, compared with net income of $3.2 million, "
                            "or $0.25 per share, for the prior year period.")
    assert {(f.metric, f.value, f.period) for f in figures} == {
        ("NetIncome", Decimal("4200000"), CALL_PERIOD), ("EarningsPerShare", Decimal("0.30"), CALL_PERIOD),
        ("NetIncome", Decimal("3200000"), FiscalPeriod(2024, 2)), ("EarningsPerShare", Decimal("0.25"), FiscalPeriod(2024, 2))}


@pytest.mark.parametrize("sentence", [
    "We crossed $1 billion in net sales for the trailing 12 months.",
    "Gross margin for the six months increased to 38.4%.",
])
def test_an_amount_of_twelve_or_six_months_is_no_quarters(sentence):
    _, figures = figures_of(sentence)
    assert [f for f in figures if f.period == CALL_PERIOD] == []


@pytest.mark.parametrize("paragraph, kept", [
    ("Within our software business, revenue grew 8% year over year.", []),
    ("In Asia, gross margin was 41%.", []),
    ("At Acme Labs, EPS rose by 4 cents year over year.", []),
    ("For the second quarter, ABC reported net income of $70 million.", []),  # a unit of Widgetco
    ("Turning now to our fuel division. Net sales were $30 million. Total revenue was $90 million.", [Decimal("90000000")]),
    ("In the second quarter, revenue was $5 million.", [Decimal("5000000")]),
    ("In addition, revenue was $5 million.", [Decimal("5000000")]),
    ("Geographically, sales rose in Europe. Revenue was $5 million, and gross margin was 40%.", [Decimal("5000000"), Decimal("40")]),
])
def test_a_sentence_set_in_a_part_of_the_company_states_the_parts_figures(paragraph, kept):
    turn = cfo_turn(paragraph)
    figures = extract_figures(turn, CALL_PERIOD, False, "Carol King", company="Widgetco Inc")
    assert [f.value for f in figures] == kept


@pytest.mark.parametrize("sentence, base, period", [
    ("Operating expenses were $49 million, compared to $52 million in the prior quarter.", "52000000", FiscalPeriod(2025, 1)),
    ("Revenue was $115 million, compared to $137 million in the year-ago period.", "137000000", FiscalPeriod(2024, 2)),
    ("Revenue was $115 million, compared to $98 million in the first quarter of 2024.", "98000000", FiscalPeriod(2024, 1)),
    ("We expect fourth quarter EPS of $0.55 to $0.58, compared to $0.05 in the year ago period.", "0.05", FiscalPeriod(2024, 4)),
])
def test_the_amount_a_figure_is_compared_with_is_stated_for_its_own_period(sentence, base, period):
    _, figures = figures_of(sentence)
    assert [f.period for f in figures if f.value == Decimal(base)] == [period]
    assert all(f.kind == Kind.REPORTED for f in figures if f.value == Decimal(base))


def test_a_metric_named_as_the_denominator_of_a_ratio_takes_no_amount():
    _, figures = figures_of("Gross profit rose 45% to $174 million, or 59% of net sales, compared to $120 million in the year-ago period.")
    assert [f for f in figures if f.metric == "Revenue"] == []


@pytest.mark.parametrize("paragraph, expected", [
    ("Net income was $1.2 million, or six cents per diluted share.",
     {("NetIncome", "1200000", None), ("EarningsPerShare", "0.06", None)}),
    ("We ended the quarter with $69 million in cash and equivalents.", {("CashAndInvestments", "69000000", None)}),
    ("Our total cash and investment was $35 million.", {("CashAndInvestments", "35000000", None)}),
    ("Our cash and investments less borrowings give a net cash position of $34 million.", set()),
    ("DSOs decreased to 49 days.", {("DaysSalesOutstanding", "49", None)}),
    ("Revenue was 3.6% lower than the first quarter.", {("Revenue", "-3.6", Change.SEQUENTIAL)}),
    ("We expect revenue of about $36 million, or 30% higher than the same quarter last year.",
     {("Revenue", "36000000", None), ("Revenue", "30", Change.YEAR_OVER_YEAR)}),
])
def test_words_speech_to_text_uses_for_figures(paragraph, expected):
    _, figures = figures_of(paragraph)
    assert {(f.metric, str(f.value), f.change) for f in figures} == expected
    if "lower than" in paragraph:  # the quarter named is the base of the change, not its period
        assert [f.period for f in figures] == [CALL_PERIOD]


# Review cases (a reviewer's own sentences): what the rules for parts, comparisons and speech-to-text
# words must not do to ordinary company figures.
@pytest.mark.parametrize("sentence, expected", [
    # openers that are no part of the company, and words before a metric that name no part
    ("At the same time, revenue grew 12% year over year.", {("Revenue", "12", CALL_PERIOD)}),
    ("In constant currency, revenue grew 9% year over year.", {("Revenue", "9", CALL_PERIOD)}),
    ("At Acme, we delivered record revenue of $242 million.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Uh revenue was $242 million.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Second quarter highlights - revenue of $242 million.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Worldwide revenue was $242 million.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Revenue grew 12% to $242 million, while gross margin expanded to 45%.",
     {("Revenue", "242000000", CALL_PERIOD), ("GrossMargin", "45", CALL_PERIOD)}),
    ("Revenue was $242 million, and EBITDA grew 20%.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Revenue was $242 million. That was up 12% year over year.",
     {("Revenue", "242000000", CALL_PERIOD), ("Revenue", "12", CALL_PERIOD)}),
    ("Gross margin expanded to 45% on lower input costs, up 120 basis points year over year.",
     {("GrossMargin", "45", CALL_PERIOD), ("GrossMargin", "120", CALL_PERIOD)}),
    ("Net income per diluted share was $0.45.", {("EarningsPerShare", "0.45", CALL_PERIOD)}),
    # revenue streams are parts
    ("Deferred revenue was $300 million.", set()),
    ("Advertising revenue grew 20% year over year.", set()),
    # an amount is of last year only when it is the one compared with
    ("Revenue was $242 million, well ahead of where we were a year ago.", {("Revenue", "242000000", CALL_PERIOD)}),
    ("Revenue was $242 million, compared with $216 million in the second quarter of last year.",
     {("Revenue", "242000000", CALL_PERIOD)}),
    ("Net income was $30 million, or $0.45 per diluted share, compared with $0.38 in the year-ago quarter.",
     {("NetIncome", "30000000", CALL_PERIOD), ("EarningsPerShare", "0.45", CALL_PERIOD),
      ("EarningsPerShare", "0.38", FiscalPeriod(2024, 2))}),
    ("For the third quarter, we expect revenue of $250 million to $260 million, compared to $242 million in the prior quarter.",
     {("Revenue", "None", FiscalPeriod(2025, 3)), ("Revenue", "242000000", CALL_PERIOD)}),
    # words for numbers
    ("EPS was twenty one cents.", set()),
    ("EPS was twenty-one cents.", set()),
])
def test_review_cases_keep_the_companys_figures_and_their_periods(sentence, expected):
    turn = cfo_turn(sentence)
    figures = extract_figures(turn, CALL_PERIOD, False, "Carol King", company="Acme Corp")
    assert {(f.metric, str(f.value), f.period) for f in figures} == expected


@pytest.mark.parametrize("context, sentence, expected", [
    (FiscalPeriod(2025, 3), "Revenue grew 12% over Q1.", None),  # two quarters back: not sequential
    (FiscalPeriod(2025, 3), "Revenue grew 12% over Q3 last year.", Change.YEAR_OVER_YEAR),
    (FiscalPeriod(2025, 3), "Revenue grew 12% over Q2 last year.", None),  # neither the quarter before nor a year before
    (FiscalPeriod(2025, 3), "Revenue grew 12% over Q2.", Change.SEQUENTIAL),
])
def test_a_change_over_a_named_quarter_is_sequential_only_against_the_quarter_before(context, sentence, expected):
    figures = extract_figures(cfo_turn(sentence), context, False, "Carol King")
    assert [f.change for f in figures] == ([expected] if expected else [])


def test_a_full_year_comparison_in_a_fourth_quarter_call_is_of_the_year_before():
    figures = extract_figures(cfo_turn("For the full year, revenue was $900 million, compared to $800 million a year ago."),
                              FiscalPeriod(2025, 4), False, "Carol King")
    assert [f.period for f in figures if f.value == Decimal("800000000")] == [FiscalPeriod(2024)]


@pytest.mark.parametrize("context, sentence, period, kind", [
    (FiscalPeriod(2025, 2), "We now forecast full-year revenue of $1.0 billion to $1.05 billion.", FiscalPeriod(2025), Kind.GUIDANCE),
    (FiscalPeriod(2025, 2), "For the full year, we expect revenue of $1.0 billion.", FiscalPeriod(2025), Kind.GUIDANCE),
    (FiscalPeriod(2025, 4), "For the full year, revenue was $900 million.", FiscalPeriod(2025), Kind.REPORTED),
    (FiscalPeriod(2025, 2), "For the third quarter, we expect revenue of $250 million.", FiscalPeriod(2025, 3), Kind.GUIDANCE),
])
def test_a_full_year_figure_is_the_years_not_a_quarters(context, sentence, period, kind):
    figures = extract_figures(cfo_turn(sentence), context, False, "Carol King")
    assert [(f.period, f.kind) for f in figures] == [(period, kind)]
