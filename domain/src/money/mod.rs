//! The money context (seller money, issue 21): the platform's commission, frozen on each order line when the order
//! is paid. Owns `commission_rates`, and the `discount`, `commission_bp` and `commission` columns of `order_lines`.

pub mod commission;
