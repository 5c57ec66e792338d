//! The `bazaar` command line.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "bazaar",
    version,
    about = "Bazaar, a multi-vendor marketplace.",
    long_about = "Bazaar, a multi-vendor marketplace.\n\nWithout a subcommand it serves the shop (same as `bazaar serve`). \
                  Settings come from environment variables or a .env file; see the README's Configuration table."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations, then serve the shop on LEPTOS_SITE_ADDR (the default).
    Serve,
    /// Apply pending database migrations to DATABASE_URL and exit.
    Migrate,
    /// Create an administrator account. The password is read from standard input when it is not a terminal
    /// (one line), otherwise prompted for twice without echo.
    CreateAdmin {
        /// The admin's email address (used to log in).
        #[arg(long)]
        email: String,
        /// The admin's display name.
        #[arg(long)]
        name: String,
    },
    /// Give an account a new two-factor key and ten recovery codes, printed here once, and end every session of
    /// it: an admin's enrolment (admins cannot enrol from the web), or anyone's lost phone.
    TwoFactor {
        /// The account's email address.
        #[arg(long)]
        email: String,
    },
    /// Fill an empty database with a deterministic demo catalog (categories, 20 sellers, products, stock).
    Seed {
        /// How many products to create.
        #[arg(long, default_value_t = 500)]
        products: usize,
        /// The random seed: the same seed gives the same catalog.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Do nothing (successfully) when the catalog already has products, instead of failing: no catalog and
        /// no demo accounts.
        #[arg(long)]
        if_empty: bool,
    },
    /// Create (or reset) the demo accounts, all with the published demo password: an admin, a shopper and one
    /// seller per demo store. For a shop to try out only; `serve` over https refuses to start while they exist.
    DemoAccounts,
    /// Turn a platform setting on or off (`bazaar setting free_items on`); without a value, list the settings.
    Setting {
        /// The setting's name (`free_items`: whether sellers may price a variant at 0.00).
        name: Option<String>,
        /// `on` or `off`.
        value: Option<String>,
    },
    /// Set the platform's commission (`bazaar commission --rate 10`), a store's (`--store SLUG`) or a category's
    /// (`--category SLUG`), with an optional floor and cap per order line; `--clear` removes a store's or a
    /// category's own rate. Without `--rate` or `--clear`, list the rates. Orders paid from then on use it.
    Commission {
        /// The rate in percent, up to two decimals (`12.5`).
        #[arg(long)]
        rate: Option<String>,
        /// The store's address name (as in /store/SLUG).
        #[arg(long, conflicts_with = "category")]
        store: Option<String>,
        /// The category's address name.
        #[arg(long)]
        category: Option<String>,
        /// The least commission of one order line (`0.50`).
        #[arg(long)]
        floor: Option<String>,
        /// The most commission of one order line (`50.00`).
        #[arg(long)]
        cap: Option<String>,
        /// Remove the store's or the category's own rate.
        #[arg(long, conflicts_with = "rate")]
        clear: bool,
    },
    /// Set the platform's rules for sellers' money (`bazaar money --hold-days 7 --commission-tax 20`); without an
    /// option, show them. They apply from then on (a delivered order keeps the release date it got).
    Money {
        /// Days an order's money stays pending after delivery (0 to 90).
        #[arg(long)]
        hold_days: Option<i64>,
        /// Tax charged on the commission, in percent (`20`; 0 for none).
        #[arg(long)]
        commission_tax: Option<String>,
        /// Whether refunded units give their commission back: `on` or `off`.
        #[arg(long)]
        commission_back: Option<String>,
        /// The least amount a payout moves (`1.00`).
        #[arg(long)]
        min_transfer: Option<String>,
        /// What a dispute does to the store's share: `hold` it until the bank decides, or `reverse` it at once
        /// (given back when the case is won).
        #[arg(long)]
        disputes: Option<String>,
        /// The payment provider's fee per payment: a percentage and a fixed amount (`2.9%+0.30`).
        #[arg(long)]
        processing_fee: Option<String>,
        /// Who bears that fee: `seller` (each store's share, booked with its sale) or `platform`.
        #[arg(long)]
        fee_payer: Option<String>,
        /// The countries stores may apply from, as codes (`US,CA`; with Stripe Connect, those its accounts can be
        /// opened in for the platform's region), or `all`.
        #[arg(long)]
        seller_countries: Option<String>,
    },
    /// Rebuild the search index from the database (after restoring a backup, or to measure indexing speed).
    Reindex,
    /// Count "Customers also bought" again from every paid order (after restoring a backup, or for orders paid
    /// before the counts existed); paid orders are counted as they are paid otherwise. Payments wait while it
    /// runs (seconds for 100,000 orders): run it at a quiet moment.
    AlsoBought,
}
