//! `/wishlist`: the products this visitor kept (a guest's list, or the account's), each with its price and stock
//! now, a price drop since it was kept, "Move to cart" (a product with one variant in stock) and "Remove". Plain
//! forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::wishlist::{WishlistItem, WishlistView};

use crate::api::wishlist::{wishlist_page, MoveToCart, SaveForLater};
use crate::components::catalog::Rating;
use crate::pages::url_error;

#[component]
pub fn WishlistPage() -> impl IntoView {
    let notice = leptos_router::hooks::use_query_map().with_untracked(|q| {
        if q.get("moved").is_some() {
            Some("Moved to your cart.")
        } else if q.get("removed").is_some() {
            Some("Removed from your wishlist.")
        } else {
            None
        }
    });
    let error = url_error::<MoveToCart>().or_else(url_error::<SaveForLater>);
    view! {
        <Title text="Your wishlist"/>
        <div class="stack">
            <h1 class="page-title">"Your wishlist"</h1>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match wishlist_page().await {
                        Ok(list) => view! { <Items list=list/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Items(list: WishlistView) -> impl IntoView {
    let signed_in = crate::request_user().is_some();
    view! {
        {(!signed_in).then(|| view! {
            <p class="muted">"Kept on this device. "<a href="/login?next=%2Fwishlist">"Sign in"</a>" to keep them with your account."</p>
        })}
        {(list.unavailable > 0).then(|| view! {
            <p class="muted">{format!("{} you kept {} no longer on sale.", model::count_of(list.unavailable, "product", "products"), if list.unavailable == 1 { "is" } else { "are" })}</p>
        })}
        {if list.items.is_empty() {
            view! { <section class="card empty"><p>"Nothing kept yet. Use \"Save to wishlist\" on a product's page to keep it here."</p><p><a href="/">"Browse the shop"</a></p></section> }.into_any()
        } else {
            view! {
                <ul class="wishlist plain-list stack">
                    {list.items.into_iter().map(|item| view! { <Item item=item/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn Item(item: WishlistItem) -> impl IntoView {
    let card = item.card.clone();
    let href = format!("/p/{}", crate::url_encode(&card.slug));
    let dropped = item
        .dropped_from()
        .map(|was| format!("Price dropped since you saved it (was {})", was.display()));
    view! {
        <li class="card wishlist__item">
            <img src=card.image_url.clone() alt="" width="96" height="96" loading="lazy"/>
            <div class="stack">
                <h2 class="wishlist__title"><a href=href.clone()>{card.title.clone()}</a></h2>
                <p class="muted">{card.seller_name.clone()}</p>
                <Rating rating=card.rating count=card.rating_count/>
                <p class="price">{card.price.display()}</p>
                {dropped.map(|d| view! { <p><span class="badge badge--success">{d}</span></p> })}
                {if card.in_stock {
                    view! { <p class="stock stock--in">"In stock"</p> }.into_any()
                } else {
                    view! { <p class="stock stock--out">"Out of stock"</p> }.into_any()
                }}
                <div class="wishlist__actions">
                    {match item.movable_variant {
                        Some(_) => view! {
                            <form method="post" action=MoveToCart::url()>
                                <input type="hidden" name="product" value=card.id.to_string()/>
                                <button class="button" type="submit">"Move to cart"<span class="visually-hidden">{format!(": {}", card.title)}</span></button>
                            </form>
                        }.into_any(),
                        None if card.in_stock => view! {
                            <a class="button" href=href>"Choose options"<span class="visually-hidden">{format!(" of {}", card.title)}</span></a>
                        }.into_any(),
                        None => ().into_any(),
                    }}
                    <form method="post" action=SaveForLater::url()>
                        <input type="hidden" name="product" value=card.id.to_string()/>
                        <input type="hidden" name="keep" value="0"/>
                        <input type="hidden" name="from" value="wishlist"/>
                        <button class="button button--secondary" type="submit">"Remove"<span class="visually-hidden">{format!(" {} from your wishlist", card.title)}</span></button>
                    </form>
                </div>
            </div>
        </li>
    }
}
