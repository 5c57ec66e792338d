//! The baseline of bench/storefront.sh: a bare axum "hello" handler on the same runtime settings as the shop.
//!   cargo run --release -p server --example hello -- 127.0.0.1:3191

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3191".into());
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
