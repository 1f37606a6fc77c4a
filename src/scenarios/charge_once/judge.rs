//! The judge: an observer that sees the shop, the API, the processor and the
//! warehouse at once. It knows every charge the processor made and for which
//! purchase, what the API's books say of each order, the first final answer
//! the shop got for each purchase, and every parcel. The protocol never
//! reads it.

use crate::scenarios::tables::SeqMap;
use super::msg::Body;

/// What the judge knows of one purchase.
#[derive(Clone, Debug, Default)]
struct PurchaseRecord {
    /// Its charges.
    charges: Vec<u64>,
    /// The first final answer the shop got for it.
    first: Option<(u16, Body)>,
    /// Already counted as acknowledged without a charge.
    unbacked: bool,
}

impl PurchaseRecord {
    fn has_charge(&self, c: u64) -> bool {
        self.charges.contains(&c)
    }
}

/// What the judge knows of one API order.
#[derive(Clone, Copy, Debug, Default)]
struct OrderRecord {
    charged: bool,
    failed: bool,
    /// Already counted as a lost charge.
    lost: bool,
    parcels: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    purchases: SeqMap<PurchaseRecord>,
    orders: SeqMap<OrderRecord>,
    /// Purchases charged twice or more, for display.
    doubles: Vec<u64>,
    double: u64,
    lost: u64,
    mismatched: u64,
}

impl Judge {
    /// The processor charged `purchase`'s card, as charge `charge` for API
    /// order `order`. Returns (new double charges, new lost charges).
    pub fn charged(&mut self, purchase: u64, order: u64, charge: u64) -> (u64, u64) {
        let p = self.purchases.or_default(purchase);
        p.charges.push(charge);
        let double = if p.charges.len() == 2 {
            self.double += 1;
            self.doubles.push(purchase);
            1
        } else {
            0
        };
        let o = self.orders.or_default(order);
        o.charged = true;
        (double, self.lose(order))
    }

    /// Counts `order` as a lost charge if it was charged and booked as
    /// failed, once.
    fn lose(&mut self, order: u64) -> u64 {
        let o = self.orders.or_default(order);
        if o.charged && o.failed && !o.lost {
            o.lost = true;
            self.lost += 1;
            1
        } else {
            0
        }
    }

    /// The API recorded order `order` as failed. Returns new lost charges
    /// (the card was charged for it all the same).
    pub fn order_failed(&mut self, order: u64) -> u64 {
        self.orders.or_default(order).failed = true;
        self.lose(order)
    }

    /// The shop got a final answer for `purchase`. Returns (new mismatched
    /// answers, new lost charges): an answer differing from the first one,
    /// and a "paid" with no charge of this purchase behind it.
    pub fn answered(&mut self, purchase: u64, status: u16, body: Body) -> (u64, u64) {
        let p = self.purchases.or_default(purchase);
        let mismatched = match p.first {
            None => {
                p.first = Some((status, body));
                0
            }
            Some(first) if first == (status, body) => 0,
            Some(_) => 1,
        };
        self.mismatched += mismatched;
        let mut lost = 0;
        if status == super::msg::status::OK
            && !body.charge.is_some_and(|c| p.has_charge(c))
            && !p.unbacked
        {
            p.unbacked = true;
            self.lost += 1;
            lost = 1;
        }
        (mismatched, lost)
    }

    /// The warehouse sent a parcel for `order`. Returns 1 if that makes it
    /// shipped twice.
    pub fn parcel(&mut self, order: u64) -> u64 {
        let o = self.orders.or_default(order);
        o.parcels += 1;
        u64::from(o.parcels == 2)
    }

    pub fn charges_of(&self, purchase: u64) -> usize {
        self.purchases.get(&purchase).map_or(0, |p| p.charges.len())
    }

    /// Whether the processor charged a card for API order `order`.
    pub fn charged_order(&self, order: u64) -> bool {
        self.orders.get(&order).is_some_and(|o| o.charged)
    }

    pub fn double(&self) -> u64 {
        self.double
    }

    pub fn lost(&self) -> u64 {
        self.lost
    }

    pub fn mismatched(&self) -> u64 {
        self.mismatched
    }

    /// The latest purchases charged more than once, newest first.
    pub fn latest_doubles(&self, n: usize) -> impl Iterator<Item = u64> + '_ {
        self.doubles.iter().rev().take(n).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::charge_once::msg::status;

    fn paid(order: u64, charge: u64) -> Body {
        Body {
            order,
            charge: Some(charge),
            amount: 10,
            error: "",
        }
    }

    #[test]
    fn a_second_charge_of_one_purchase_is_a_double_charge() {
        let mut j = Judge::default();
        assert_eq!(j.charged(7, 1, 100), (0, 0));
        assert_eq!(j.charged(7, 2, 101), (1, 0));
        assert_eq!(j.charged(7, 3, 102), (0, 0));
        assert_eq!(j.double(), 1);
        assert_eq!(j.latest_doubles(5).collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn a_charge_for_an_order_booked_as_failed_is_lost_either_way_round() {
        let mut j = Judge::default();
        j.charged(1, 10, 100);
        assert_eq!(j.order_failed(10), 1);
        assert_eq!(j.order_failed(11), 0);
        assert_eq!(j.charged(2, 11, 101), (0, 1));
        assert_eq!(j.lost(), 2);
    }

    #[test]
    fn a_paid_answer_needs_a_charge_of_its_own_purchase() {
        let mut j = Judge::default();
        j.charged(1, 10, 100);
        assert_eq!(j.answered(1, status::OK, paid(10, 100)), (0, 0));
        assert_eq!(j.answered(2, status::OK, paid(11, 100)), (0, 1));
        assert_eq!(j.lost(), 1);
    }

    #[test]
    fn later_answers_must_equal_the_first() {
        let mut j = Judge::default();
        j.charged(1, 10, 100);
        j.charged(1, 11, 101);
        assert_eq!(j.answered(1, status::OK, paid(10, 100)), (0, 0));
        assert_eq!(j.answered(1, status::OK, paid(10, 100)), (0, 0));
        assert_eq!(j.answered(1, status::OK, paid(11, 101)), (1, 0));
        assert_eq!(j.mismatched(), 1);
    }

    #[test]
    fn a_second_parcel_for_one_order_is_a_double_shipment() {
        let mut j = Judge::default();
        assert_eq!(j.parcel(3), 0);
        assert_eq!(j.parcel(3), 1);
        assert_eq!(j.parcel(3), 0);
    }
}
