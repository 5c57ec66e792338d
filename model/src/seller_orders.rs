//! A store's orders as its seller works them (`/seller/orders`), and the shipments both sides see.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;
use crate::orders::TimelineEntry;

/// Who carries a shipment. The known ones have a tracking page a link can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Carrier {
    Ups,
    Usps,
    Fedex,
    Dhl,
    Other,
}

impl Carrier {
    pub const ALL: [Carrier; 5] = [
        Carrier::Ups,
        Carrier::Usps,
        Carrier::Fedex,
        Carrier::Dhl,
        Carrier::Other,
    ];

    /// The spelling stored and posted by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Carrier::Ups => "ups",
            Carrier::Usps => "usps",
            Carrier::Fedex => "fedex",
            Carrier::Dhl => "dhl",
            Carrier::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Carrier> {
        Carrier::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Carrier::Ups => "UPS",
            Carrier::Usps => "USPS",
            Carrier::Fedex => "FedEx",
            Carrier::Dhl => "DHL",
            Carrier::Other => "Other carrier",
        }
    }

    /// The carrier's own tracking page for `number` (checked to be letters, digits, spaces and dashes when it
    /// was recorded; encoded here all the same).
    pub fn tracking_url(self, number: &str) -> Option<String> {
        let n: String = number.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        match self {
            Carrier::Ups => Some(format!("https://www.ups.com/track?tracknum={n}")),
            Carrier::Usps => Some(format!("https://tools.usps.com/go/TrackConfirmAction?tLabels={n}")),
            Carrier::Fedex => Some(format!("https://www.fedex.com/fedextrack/?trknbr={n}")),
            Carrier::Dhl => Some(format!(
                "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={n}"
            )),
            Carrier::Other => None,
        }
    }
}

/// One shipment of an order: which units left, with whom, and how to follow them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub shipped_at: i64,
    pub carrier: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
    /// "2 × Copper kettle (Large)".
    pub lines: Vec<String>,
}

/// The tabs of the order list: what a seller works through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderTab {
    ToAccept,
    ToShip,
    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
    Returns,
    All,
}

impl OrderTab {
    pub const ALL: [OrderTab; 9] = [
        OrderTab::ToAccept,
        OrderTab::ToShip,
        OrderTab::PartiallyShipped,
        OrderTab::Shipped,
        OrderTab::Delivered,
        OrderTab::Cancelled,
        OrderTab::Refunded,
        OrderTab::Returns,
        OrderTab::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderTab::ToAccept => "to-accept",
            OrderTab::ToShip => "to-ship",
            OrderTab::PartiallyShipped => "partially-shipped",
            OrderTab::Shipped => "shipped",
            OrderTab::Delivered => "delivered",
            OrderTab::Cancelled => "cancelled",
            OrderTab::Refunded => "refunded",
            OrderTab::Returns => "returns",
            OrderTab::All => "all",
        }
    }

    /// The tab an address names; "to ship" when it names none (what a seller opens the list for).
    pub fn parse(text: &str) -> OrderTab {
        OrderTab::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .unwrap_or(OrderTab::ToShip)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderTab::ToAccept => "To accept",
            OrderTab::ToShip => "To ship",
            OrderTab::PartiallyShipped => "Partially shipped",
            OrderTab::Shipped => "Shipped",
            OrderTab::Delivered => "Delivered",
            OrderTab::Cancelled => "Cancelled",
            OrderTab::Refunded => "Refunded",
            OrderTab::Returns => "Returns to act on",
            OrderTab::All => "All",
        }
    }
}

/// What the order list shows: a tab, a search, and the days orders were placed on (`YYYY-MM-DD`, both ends
/// included, either may be empty), as the address holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    pub tab: OrderTab,
    pub q: String,
    pub from: String,
    pub to: String,
}

impl OrderFilter {
    /// The list's address with this filter and the cursor `after`.
    pub fn href(&self, after: &str) -> String {
        let mut pairs = vec![format!("tab={}", self.tab.as_str())];
        for (name, value) in [
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("after", &after.to_string()),
        ] {
            if !value.is_empty() {
                pairs.push(format!("{name}={}", crate::url_encode(value)));
            }
        }
        format!("/seller/orders?{}", pairs.join("&"))
    }

    /// Whether a search or dates narrow the tab.
    pub fn narrowed(&self) -> bool {
        !(self.q.is_empty() && self.from.is_empty() && self.to.is_empty())
    }
}

/// How a store kept its ship-by dates over the last 30 days: orders due in that time, those that left (in full)
/// after their date or have not left yet, and those late right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShippingRecord {
    pub due: i64,
    pub late: i64,
    pub late_now: i64,
}

impl ShippingRecord {
    /// Whole percent of due orders that left on time; `None` before any was due.
    pub fn on_time_percent(&self) -> Option<i64> {
        (self.due > 0).then(|| (self.due - self.late) * 100 / self.due)
    }
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerOrderRow {
    pub number: String,
    pub placed_at: i64,
    pub customer: String,
    pub units: i64,
    pub total: Money,
    pub status_label: String,
    /// "success", "warning", "neutral": the badge's tone (its words say the same).
    pub tone: String,
    /// Unix milliseconds; shown while it is still to ship.
    pub ship_by: Option<i64>,
    pub late: bool,
    /// Waiting for the store to accept it.
    pub awaiting_acceptance: bool,
}

/// A page of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SellerOrderPage {
    pub store_name: String,
    pub store_slug: String,
    pub rows: Vec<SellerOrderRow>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// Orders paid and not yet all shipped (the navigation's count).
    pub to_ship: i64,
}

/// One line of an order on the seller's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerLineView {
    pub variant_id: i64,
    pub title: String,
    pub variant: String,
    pub sku: String,
    pub quantity: i64,
    pub shipped: i64,
    pub cancelled: i64,
    /// Units refunded: those cancelled and shipped ones refunded.
    pub refunded: i64,
    pub unit_price: Money,
    pub line_total: Money,
}

impl SellerLineView {
    /// Units still to ship.
    pub fn open(&self) -> i64 {
        self.quantity - self.shipped - self.cancelled
    }

    /// Shipped units not refunded yet (none for a line refunded whole by the provider before units were counted).
    pub fn refundable(&self) -> i64 {
        (self.shipped - (self.refunded - self.cancelled)).max(0)
    }
}

/// Why a store cancels items or refunds: a list, so the shopper's email and both timelines say it plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundReason {
    OutOfStock,
    ShopperAsked,
    CannotShip,
    Damaged,
    NotAsDescribed,
    ArrivedLate,
    Returned,
    Goodwill,
    Other,
    /// The shop cancelled it: the store did not accept it in time.
    NotAccepted,
}

impl RefundReason {
    pub const ALL: [RefundReason; 10] = [
        RefundReason::OutOfStock,
        RefundReason::ShopperAsked,
        RefundReason::CannotShip,
        RefundReason::Damaged,
        RefundReason::NotAsDescribed,
        RefundReason::ArrivedLate,
        RefundReason::Returned,
        RefundReason::Goodwill,
        RefundReason::Other,
        RefundReason::NotAccepted,
    ];

    /// The reasons that fit cancelling units not shipped yet.
    pub const FOR_CANCEL: [RefundReason; 4] = [
        RefundReason::OutOfStock,
        RefundReason::ShopperAsked,
        RefundReason::CannotShip,
        RefundReason::Other,
    ];

    /// The reasons that fit refunding what shipped.
    pub const FOR_REFUND: [RefundReason; 6] = [
        RefundReason::Damaged,
        RefundReason::NotAsDescribed,
        RefundReason::ArrivedLate,
        RefundReason::Returned,
        RefundReason::Goodwill,
        RefundReason::Other,
    ];

    /// The spelling stored and posted by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::OutOfStock => "out_of_stock",
            RefundReason::ShopperAsked => "shopper_asked",
            RefundReason::CannotShip => "cannot_ship",
            RefundReason::Damaged => "damaged",
            RefundReason::NotAsDescribed => "not_as_described",
            RefundReason::ArrivedLate => "arrived_late",
            RefundReason::Returned => "returned",
            RefundReason::Goodwill => "goodwill",
            RefundReason::Other => "other",
            RefundReason::NotAccepted => "not_accepted",
        }
    }

    pub fn parse(text: &str) -> Option<RefundReason> {
        RefundReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundReason::OutOfStock => "Out of stock",
            RefundReason::ShopperAsked => "The shopper asked",
            RefundReason::CannotShip => "Cannot ship to the address",
            RefundReason::Damaged => "Arrived damaged",
            RefundReason::NotAsDescribed => "Not as described",
            RefundReason::ArrivedLate => "Arrived late",
            RefundReason::Returned => "Sent back by the shopper",
            RefundReason::Goodwill => "Goodwill",
            RefundReason::Other => "Other",
            RefundReason::NotAccepted => "Not accepted by the store in time",
        }
    }
}

/// A store's order as its seller sees it: never the shopper's email (buyer privacy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerOrderDetail {
    pub store_name: String,
    pub store_slug: String,
    pub number: String,
    pub placed_at: i64,
    pub status_label: String,
    pub tone: String,
    pub ship_by: Option<i64>,
    pub late: bool,
    /// When it is cancelled if the store has not accepted it by then (stores that accept their orders).
    pub accept_by: Option<i64>,
    pub customer: String,
    /// The shipping address, a line each.
    pub address: Vec<String>,
    /// The phone number the shopper gave for the carrier (empty: none).
    pub phone: String,
    pub shipping_option: String,
    pub lines: Vec<SellerLineView>,
    pub shipping: Money,
    /// What promo codes took off the store's items.
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub refunded: Money,
    pub shipments: Vec<ShipmentView>,
    pub timeline: Vec<TimelineEntry>,
    /// Whether units are left to ship (the shipping form shows).
    pub shippable: bool,
    /// Whether it can be marked delivered now (everything shipped).
    pub deliverable: bool,
    /// What can still be refunded (what was paid minus what was refunded), and of that the shipping.
    pub refundable: Money,
    pub shipping_refundable: Money,
    /// Whether the store may still give money back on it (paid, and not all of it refunded).
    pub refunds_open: bool,
    /// The shopper's returns of it, oldest first.
    pub returns: Vec<crate::returns::ReturnView>,
    /// The conversation with the shopper and the store's internal notes, oldest first.
    pub messages: Vec<crate::messages::MessageView>,
    /// The platform's commission frozen on the lines at the sale, and its rates ("10 %"; empty before the sale).
    pub commission: Money,
    pub commission_rates: String,
}

/// What a store prints for one order: the label (addresses and the number as a barcode) and the packing slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackingSlip {
    pub order: SellerOrderDetail,
    /// The order number as a Code 128 barcode: SVG drawn by the server from the number alone.
    pub barcode_svg: String,
}
