use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use domain::accounts::{self, AccountError, Registration};
use domain::Db;
use server::cli::{Cli, Command};
use server::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    // A .env file is optional; real environment variables win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::CreateAdmin { email, name } => create_admin(&config, email, name).await,
        Command::TwoFactor { email } => issue_two_factor(&config, &email).await,
        Command::Seed {
            products,
            seed,
            if_empty,
        } => seed_catalog(&config, products, seed, if_empty).await,
        Command::DemoAccounts => make_demo_accounts(&config).await,
        Command::Setting { name, value } => setting(&config, name, value).await,
        Command::Commission {
            rate,
            store,
            category,
            floor,
            cap,
            clear,
        } => {
            let wanted = CommissionArgs {
                rate,
                floor,
                cap,
                clear,
            };
            commission(&config, store, category, wanted).await
        }
        Command::Money {
            hold_days,
            commission_tax,
            commission_back,
            min_transfer,
            disputes,
            processing_fee,
            fee_payer,
            seller_countries,
        } => {
            let wanted = MoneyArgs {
                hold_days,
                commission_tax,
                commission_back,
                min_transfer,
                disputes,
                processing_fee,
                fee_payer,
                seller_countries,
            };
            money_policy(&config, wanted).await
        }
        Command::Reindex => reindex(&config).await,
        Command::AlsoBought => recount_also_bought(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open_db(config: &Config) -> Result<Db, String> {
    tracing::info!(database = config.database_url_for_log(), "opening database");
    let db = Db::connect_with(
        config.database_url.expose(),
        config.database_max_connections,
        config.sqlite_sync,
    )
    .await
    .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("cannot apply migrations: {e}"))?;
    Ok(db)
}

async fn migrate(config: &Config) -> Result<(), String> {
    open_db(config).await?;
    println!("migrations applied");
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let db = open_db(&config).await?;
    refuse_demo_accounts(&config, &db).await?;
    refuse_demo_reviews(&config, &db).await?;
    if config.test_clock && config.is_https() {
        return Err("TEST_CLOCK lets anyone move the shop's clock: it is refused on a shop served over https".into());
    }
    let config = Arc::new(config);
    let index = server::search::open_index(&config)?;
    let services = server::services(&config, db.clone(), index)?;
    let mailer = server::mailer(&config, db.clone())?;
    let cache = Arc::new(server::page_cache::PageCache::new(
        db.clone(),
        server::session_cookie_name(&config),
    ));
    let indexer = server::search::start(&services, cache.clone());
    let housekeeping = server::spawn_housekeeping(services.clone());
    let order_workers = server::spawn_order_workers(services.clone(), mailer, server::texts(&config)?);
    let picture_fetches = server::spawn_picture_fetches(&config, services.clone());
    let transfers = server::spawn_transfer_sweep(services.clone(), config.transfer_sweep_minutes);
    let views = services.clone();
    let app = server::router(config.clone(), services, cache);
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.site_addr))?;
    tracing::info!("Bazaar is serving http://{}", config.site_addr);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    housekeeping.abort();
    order_workers.abort();
    picture_fetches.abort();
    if let Some(transfers) = transfers {
        transfers.abort();
    }
    indexer.abort();
    // The views counted since the last write.
    server::product_views::flush(&views).await;
    server::analytics::flush(&views).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn seed_catalog(config: &Config, products: usize, seed: u64, if_empty: bool) -> Result<(), String> {
    let db = open_db(config).await?;
    if if_empty && domain::seed::has_products(&db).await.map_err(|e| e.to_string())? {
        // Seeding nothing creates nothing: a real shop's database gets no demo accounts from a start script.
        println!("catalog already has products; nothing seeded");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let images = domain::catalog::images::LocalImageStore::new(config.image_dir.clone());
    let report = domain::seed::seed_with_images(&db, products, seed, &images)
        .await
        .map_err(|e| e.to_string())?;
    // Seeding writes in bulk without the outbox: rebuild the index once instead.
    let index = server::search::open_index(config)?;
    domain::search::reindex(&db, &*index).await.map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {} categories, {} sellers, {} products, {} variants in {secs:.1} s ({:.0} products/s)",
        report.categories,
        report.sellers,
        report.products,
        report.variants,
        report.products as f64 / secs.max(0.001)
    );
    print_demo_accounts(&db).await
}

/// Sets a platform switch, or lists them with their state.
async fn setting(config: &Config, name: Option<String>, value: Option<String>) -> Result<(), String> {
    use domain::platform::settings;
    let db = open_db(config).await?;
    let on = match value.as_deref() {
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(other) => return Err(format!("a setting is on or off, not {other:?}")),
        None => None,
    };
    match (name, on) {
        (Some(name), Some(on)) => {
            if !settings::set(&db, &name, on).await.map_err(|e| e.to_string())? {
                return Err(format!("there is no setting {name:?}; `bazaar setting` lists them"));
            }
            println!("{name} is {}", if on { "on" } else { "off" });
        }
        _ => {
            let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
            for (name, meaning) in settings::SETTINGS {
                let state = settings::is_on(&mut conn, name).await.map_err(|e| e.to_string())?;
                println!("{name:<12} {:<4} {meaning}", if state { "on" } else { "off" });
            }
        }
    }
    Ok(())
}

/// What `bazaar commission` is asked to do.
struct CommissionArgs {
    rate: Option<String>,
    floor: Option<String>,
    cap: Option<String>,
    clear: bool,
}

/// Sets or clears a commission rate, or lists them.
async fn commission(
    config: &Config,
    store: Option<String>,
    category: Option<String>,
    args: CommissionArgs,
) -> Result<(), String> {
    use domain::money::commission::{self as rates, Rate};
    let db = open_db(config).await?;
    let scope = rates::scope_named(&db, store.as_deref(), category.as_deref())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("there is no store or category with that address name")?;
    let money = |typed: &Option<String>, what: &str| match typed {
        None => Ok(None),
        Some(t) => domain::catalog::editor::parse_money(t)
            .map(Some)
            .ok_or(format!("the {what} is an amount like 0.50")),
    };
    if args.clear {
        let cleared = rates::clear(&db, scope).await.map_err(|e| e.to_string())?;
        println!(
            "{}",
            if cleared {
                "rate removed"
            } else {
                "no rate of its own to remove"
            }
        );
        return Ok(());
    }
    if let Some(typed) = args.rate {
        let rate_bp = rates::parse_percent(&typed).ok_or("the rate is a percentage from 0 to 100, like 12.5")?;
        let rate = Rate {
            rate_bp,
            floor: money(&args.floor, "floor")?,
            cap: money(&args.cap, "cap")?,
        };
        rates::set(&db, scope, rate).await.map_err(|e| e.to_string())?;
        println!(
            "commission set to {} for orders paid from now on",
            rates::percent_label(rate_bp)
        );
        return Ok(());
    }
    for r in rates::list(&db).await.map_err(|e| e.to_string())? {
        let bounds = [("floor", r.floor_amount), ("cap", r.cap_amount)]
            .iter()
            .filter_map(|(what, amount)| {
                amount.map(|a| format!(" {what} {}", model::catalog::Money::new(a, "USD").display()))
            })
            .collect::<String>();
        println!(
            "{:<9} {:<32} {}{bounds}",
            r.scope,
            r.name,
            rates::percent_label(r.rate_bp)
        );
    }
    Ok(())
}

/// What `bazaar money` is asked to change.
struct MoneyArgs {
    hold_days: Option<i64>,
    commission_tax: Option<String>,
    commission_back: Option<String>,
    min_transfer: Option<String>,
    disputes: Option<String>,
    processing_fee: Option<String>,
    fee_payer: Option<String>,
    seller_countries: Option<String>,
}

/// Changes the platform's money rules, then shows them.
async fn money_policy(config: &Config, args: MoneyArgs) -> Result<(), String> {
    use domain::money::{commission, policy};
    let db = open_db(config).await?;
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let mut rules = policy::read(&mut conn).await.map_err(|e| e.to_string())?;
    drop(conn);
    if let Some(days) = args.hold_days {
        rules.hold_days = days;
    }
    if let Some(typed) = args.commission_tax {
        rules.commission_tax_bp =
            commission::parse_percent(&typed).ok_or("the commission tax is a percentage from 0 to 100, like 20")?;
    }
    if let Some(typed) = args.commission_back {
        rules.commission_back = match typed.as_str() {
            "on" => 1,
            "off" => 0,
            _ => return Err("--commission-back is on or off".into()),
        };
    }
    if let Some(typed) = args.min_transfer {
        rules.min_transfer =
            domain::catalog::editor::parse_money(&typed).ok_or("the least payout is an amount like 1.00")?;
    }
    if let Some(typed) = args.disputes {
        rules.dispute_hold = match typed.as_str() {
            "hold" => 1,
            "reverse" => 0,
            _ => return Err("--disputes is hold or reverse".into()),
        };
    }
    if !policy::set(&db, &rules).await.map_err(|e| e.to_string())? {
        return Err("the holding days are 0 to 90".into());
    }
    let fee = processing_fee(&db, args.processing_fee, args.fee_payer).await?;
    if let Some(typed) = args.seller_countries {
        policy::set_seller_countries(&db, &typed).await?;
    }
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let countries = policy::seller_countries(&mut conn).await.map_err(|e| e.to_string())?;
    println!("hold days        {}", rules.hold_days);
    println!(
        "commission tax   {}",
        commission::percent_label(rules.commission_tax_bp)
    );
    println!(
        "commission back  {}",
        if rules.commission_back == 1 { "on" } else { "off" }
    );
    println!(
        "least payout     {}",
        model::catalog::Money::new(rules.min_transfer, "USD").display()
    );
    println!(
        "disputes         {}",
        if rules.dispute_hold == 1 { "hold" } else { "reverse" }
    );
    println!(
        "processing fee   {} + {}, paid by the {}",
        domain::money::commission::percent_label(fee.fee_bp),
        model::catalog::Money::new(fee.fee_fixed, "USD").display(),
        if fee.seller_pays_fee == 1 { "stores" } else { "platform" }
    );
    println!(
        "seller countries {}",
        if countries.is_empty() {
            "all".to_string()
        } else {
            countries.join(",")
        }
    );
    Ok(())
}

/// Changes the payment provider's fee rule as asked; the rule after.
async fn processing_fee(
    db: &domain::Db,
    typed: Option<String>,
    payer: Option<String>,
) -> Result<domain::money::policy::FeeRule, String> {
    use domain::money::policy;
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let mut rule = policy::fee_rule(&mut conn).await.map_err(|e| e.to_string())?;
    drop(conn);
    if let Some(typed) = typed {
        (rule.fee_bp, rule.fee_fixed) =
            policy::parse_fee(&typed).ok_or("the processing fee is a percentage and an amount, like 2.9%+0.30")?;
    }
    if let Some(payer) = payer {
        rule.seller_pays_fee = match payer.as_str() {
            "seller" => 1,
            "platform" => 0,
            _ => return Err("--fee-payer is seller or platform".into()),
        };
    }
    if !policy::set_fee_rule(db, &rule).await.map_err(|e| e.to_string())? {
        return Err("the processing fee is at most 20 % plus 100.00".into());
    }
    Ok(rule)
}

async fn make_demo_accounts(config: &Config) -> Result<(), String> {
    let db = open_db(config).await?;
    print_demo_accounts(&db).await
}

/// Creates the demo accounts and lists them.
async fn print_demo_accounts(db: &Db) -> Result<(), String> {
    let accounts = domain::seed::demo_accounts(db).await.map_err(|e| e.to_string())?;
    println!(
        "demo accounts (password {}), for trying the shop only:",
        domain::seed::DEMO_PASSWORD
    );
    for account in accounts {
        match account.store {
            Some(store) => println!("  {:<34} {:<8} runs {store}", account.email, account.role),
            None => println!("  {:<34} {}", account.email, account.role),
        }
    }
    println!(
        "the demo admin signs in with two-factor codes: add the key {} to an authenticator app",
        domain::seed::DEMO_ADMIN_TOTP_SECRET
    );
    Ok(())
}

/// Demo accounts have a published password: a shop served over https (a public one) with them refuses to start,
/// unless `ALLOW_DEMO_ACCOUNTS` says it is meant (a public demo).
async fn refuse_demo_accounts(config: &Config, db: &Db) -> Result<(), String> {
    let public = config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let present = domain::seed::has_demo_accounts(db)
        .await
        .map_err(|e| format!("cannot check for demo accounts: {e}"))?;
    if !public || !present {
        return Ok(());
    }
    let message = format!(
        "DEMO ACCOUNTS EXIST (@{}, password {:?}) on a shop served at {}: anyone can sign in as an admin or a \
         seller. Delete them, or do not serve this database publicly",
        domain::seed::DEMO_DOMAIN,
        domain::seed::DEMO_PASSWORD,
        config.public_url.as_deref().unwrap_or_default()
    );
    if config.allow_demo_accounts {
        tracing::warn!("{message} (served anyway: ALLOW_DEMO_ACCOUNTS is set)");
        eprintln!("WARNING: {message} (served anyway: ALLOW_DEMO_ACCOUNTS is set)");
        return Ok(());
    }
    Err(format!(
        "{message}; set ALLOW_DEMO_ACCOUNTS=true to serve a public demo on purpose."
    ))
}

/// The demo's reviews are sample text no purchase backs: a shop served over https (a public one) with them refuses
/// to start, unless `ALLOW_DEMO_REVIEWS` says it is meant (a public demo, where they are labelled as demo data).
async fn refuse_demo_reviews(config: &Config, db: &Db) -> Result<(), String> {
    if !config.is_https() {
        return Ok(());
    }
    let present = domain::seed::has_demo_reviews(db)
        .await
        .map_err(|e| format!("cannot check for demo reviews: {e}"))?;
    if !present {
        return Ok(());
    }
    let message = format!(
        "DEMO REVIEWS EXIST on a shop served at {}: shoppers would read reviews no purchase backs. Serve a database \
         `bazaar seed` did not fill, or do not serve this one publicly",
        config.public_url.as_deref().unwrap_or_default()
    );
    if config.allow_demo_reviews {
        tracing::warn!("{message} (served anyway: ALLOW_DEMO_REVIEWS is set)");
        eprintln!("WARNING: {message} (served anyway: ALLOW_DEMO_REVIEWS is set)");
        return Ok(());
    }
    Err(format!(
        "{message}; set ALLOW_DEMO_REVIEWS=true to serve a public demo on purpose."
    ))
}

/// Rebuilds the search index from the database and prints the throughput.
async fn reindex(config: &Config) -> Result<(), String> {
    let db = open_db(config).await?;
    let index = server::search::open_index(config)?;
    let started = std::time::Instant::now();
    let n = domain::search::reindex(&db, &*index).await.map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexed {n} products into {} in {secs:.2} s ({:.0} documents/s)",
        index.name(),
        n as f64 / secs.max(0.001)
    );
    Ok(())
}

/// Counts "Customers also bought" again from the orders and prints what it found and how long it took.
async fn recount_also_bought(config: &Config) -> Result<(), String> {
    let db = open_db(config).await?;
    let started = std::time::Instant::now();
    let found = domain::discovery::also_bought::recount(&db)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "counted {} paid orders into {} product pairs in {:.2} s",
        found.groups,
        found.pairs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

async fn create_admin(config: &Config, email: String, name: String) -> Result<(), String> {
    let password = read_password()?;
    let db = open_db(config).await?;
    match accounts::create_admin(&db, &Registration { name, email, password }).await {
        Ok(user) => {
            println!("admin created: {} <{}> (id {})", user.name, user.email, user.id);
            // Admins sign in with a second step: the operator gets the secret here, once.
            print_two_factor(&db, user.id).await
        }
        Err(AccountError::Invalid(fields)) => Err(fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("\n")),
        Err(e) => Err(e.to_string()),
    }
}

/// `bazaar two-factor --email`: a new key and recovery codes for the account, printed once.
async fn issue_two_factor(config: &Config, email: &str) -> Result<(), String> {
    let db = open_db(config).await?;
    let user = accounts::find_by_email(&db, email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account uses {email:?}"))?;
    print_two_factor(&db, user.id).await?;
    println!(
        "every session of {} ended: it signs in again with the new key",
        user.email
    );
    Ok(())
}

async fn print_two_factor(db: &Db, user_id: i64) -> Result<(), String> {
    let (setup, codes) = accounts::two_factor::issue_by_operator(db, user_id)
        .await
        .map_err(|e| format!("{e}: no two-factor key was given; run `bazaar two-factor --email` with the address"))?;
    println!("two-factor secret: {}", setup.secret);
    println!("  add it to an authenticator app (or open {})", setup.address);
    println!("recovery codes (each works once; keep them apart from the password):");
    for code in codes {
        println!("  {code}");
    }
    Ok(())
}

/// One line from stdin when it is piped; otherwise a prompt without echo, asked twice.
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            return Err("no password on standard input".into());
        }
        return Ok(password);
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}
