//! Workflows: the only places where one transaction spans several contexts. Each opens the transaction and
//! passes the same connection to each context's functions, so an order, its stock, its payment, its mail and
//! its outbox rows commit together or not at all.

pub mod accept_order;
pub mod account_data;
pub mod adjust_stock;
pub mod back_in_stock;
pub mod cancel_order;
pub mod connect_events;
pub mod dispute_evidence;
pub mod expire_holds;
pub mod import_products;
pub mod message_order;
pub mod move_to_cart;
pub mod onboard_seller;
pub mod place_order;
pub mod price_drops;
pub mod refund_order;
pub mod return_order;
pub mod review_product;
pub mod save_product;
pub mod settle_payment;
pub mod ship_order;
pub mod stock_policy;
