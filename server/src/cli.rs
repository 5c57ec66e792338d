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
}
