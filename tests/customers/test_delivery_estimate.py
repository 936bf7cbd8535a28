from datetime import date

from kundenversteher.customers.queries import add_business_days, delivery_estimate
from tests.customers.factories import make_product, make_stock


def test_in_stock_skips_the_weekend(db):
    product = make_product()
    make_stock(product, quantity=5)

    # Thursday 19 Nov 2026 + 2 working days: Friday, then Monday.
    assert delivery_estimate(product_id=product.id, quantity=2, today=date(2026, 11, 19)) == date(
        2026, 11, 23
    )


def test_in_stock_skips_christmas_and_the_weekend(db):
    product = make_product()
    make_stock(product, quantity=5)

    # Wed 23 Dec: Thu 24th counts (Heiligabend is no public holiday), Fri 25th is one,
    # Sat 26th/Sun 27th are weekend: the second working day is Monday 28th.
    assert delivery_estimate(product_id=product.id, quantity=1, today=date(2026, 12, 23)) == date(
        2026, 12, 28
    )


def test_stock_of_several_warehouses_adds_up(db):
    product = make_product()
    make_stock(product, quantity=2, warehouse="Regensburg")
    make_stock(product, quantity=2, warehouse="Hamburg")

    assert delivery_estimate(product_id=product.id, quantity=4, today=date(2026, 11, 23)) == date(
        2026, 11, 25
    )


def test_out_of_stock_ships_after_restock_around_a_holiday(db):
    product = make_product()
    make_stock(product, quantity=0, restock_date=date(2026, 5, 13), restock_quantity=10)

    # Restock Wed 13 May 2026; Thu 14th is Christi Himmelfahrt; Fri 15th and Mon 18th count.
    assert delivery_estimate(product_id=product.id, quantity=3, today=date(2026, 5, 4)) == date(
        2026, 5, 18
    )


def test_the_first_restock_that_covers_the_quantity_counts(db):
    product = make_product()
    make_stock(
        product, quantity=1, warehouse="A", restock_date=date(2026, 11, 24), restock_quantity=1
    )
    make_stock(
        product, quantity=0, warehouse="B", restock_date=date(2026, 11, 30), restock_quantity=5
    )

    assert delivery_estimate(product_id=product.id, quantity=2, today=date(2026, 11, 23)) == date(
        2026, 11, 26
    )
    assert delivery_estimate(product_id=product.id, quantity=4, today=date(2026, 11, 23)) == date(
        2026, 12, 2
    )


def test_unknown_availability_gives_none(db):
    without_stock_rows = make_product("WP-AIR-12")
    never_restocked = make_product("WP-AIR-16")
    make_stock(never_restocked, quantity=1)

    assert (
        delivery_estimate(product_id=without_stock_rows.id, quantity=1, today=date(2026, 11, 23))
        is None
    )
    assert (
        delivery_estimate(product_id=never_restocked.id, quantity=2, today=date(2026, 11, 23))
        is None
    )


def test_the_bundesland_decides_which_holidays_count():
    # Heilige Drei Könige (6 Jan) is a holiday in Bavaria, not in North Rhine-Westphalia.
    assert add_business_days(date(2026, 1, 5), 1, subdivision="BY") == date(2026, 1, 7)
    assert add_business_days(date(2026, 1, 5), 1, subdivision="NW") == date(2026, 1, 6)
