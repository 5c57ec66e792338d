//! Server-rendered catalog pieces: product cards, ratings, prices, breadcrumbs, safe markdown.

use leptos::prelude::*;
use model::catalog::{CategoryView, ProductCard};
pub use model::markdown::{parse_markdown, Block, Inline};

#[component]
pub fn ProductGrid(products: Vec<ProductCard>) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {products.into_iter().map(|p| view! { <li><ProductCardView product=p/></li> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ProductCardView(product: ProductCard) -> impl IntoView {
    let href = format!("/p/{}", product.slug);
    view! {
        <article class="product-card">
            <a href=href.clone() class="product-card__image" tabindex="-1" aria-hidden="true">
                <img src=product.image_url.clone() alt="" width="300" height="300" loading="lazy"/>
            </a>
            <div class="product-card__body">
                <h3 class="product-card__title"><a href=href>{product.title.clone()}</a></h3>
                <p class="product-card__seller">{product.seller_name.clone()}</p>
                <Rating rating=product.rating count=product.rating_count/>
                <p class="price">{product.price.display()}</p>
                {(!product.in_stock).then(|| view! { <p class="stock stock--out">"Out of stock"</p> })}
            </div>
        </article>
    }
}

#[component]
pub fn Rating(rating: Option<f32>, count: i64) -> impl IntoView {
    match rating {
        Some(r) => {
            let label = format!("Rated {r:.1} out of 5 from {count} reviews");
            let stars = "★".repeat(r.round() as usize) + &"☆".repeat(5 - (r.round() as usize).min(5));
            // The words are text (visually hidden) rather than an aria-label on a paragraph, which screen readers
            // skip: the stars are for the eye only.
            let title = label.clone();
            view! {
                <p class="rating" title=title>
                    <span aria-hidden="true">{stars}</span>
                    <span class="rating__count" aria-hidden="true">{format!("({count})")}</span>
                    <span class="visually-hidden">{label}</span>
                </p>
            }
            .into_any()
        }
        None => view! { <p class="rating rating--none">"No ratings yet"</p> }.into_any(),
    }
}

#[component]
pub fn Breadcrumbs(trail: Vec<CategoryView>, #[prop(optional, into)] current: Option<String>) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumbs">
            <ol>
                <li><a href="/">"Home"</a></li>
                {trail.into_iter().map(|c| view! { <li><a href=format!("/c/{}", c.slug)>{c.name}</a></li> }).collect_view()}
                {current.map(|c| view! { <li aria-current="page">{c}</li> })}
            </ol>
        </nav>
    }
}

fn inline_view(parts: Vec<Inline>) -> impl IntoView {
    parts
        .into_iter()
        .map(|p| match p {
            Inline::Text(t) => t.into_any(),
            Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
        })
        .collect_view()
}

#[component]
pub fn Markdown(source: String) -> impl IntoView {
    view! {
        <div class="prose">
            {parse_markdown(&source).into_iter().map(|b| match b {
                Block::Paragraph(parts) => view! { <p>{inline_view(parts)}</p> }.into_any(),
                Block::List(items) => view! {
                    <ul>{items.into_iter().map(|i| view! { <li>{inline_view(i)}</li> }).collect_view()}</ul>
                }.into_any(),
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_html_as_text() {
        let blocks = parse_markdown("<script>alert(1)</script> **bold** <img src=x onerror=alert(1)>");
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![
                Inline::Text("<script>alert(1)</script> ".into()),
                Inline::Strong("bold".into()),
                Inline::Text(" <img src=x onerror=alert(1)>".into()),
            ])]
        );
        let html = view! { <Markdown source="<script>x</script>".to_string()/> }.to_html();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn lists_and_paragraphs_are_recognised() {
        let blocks = parse_markdown("Intro line\n\n- one\n- two");
        assert_eq!(blocks.len(), 2);
        assert!(matches!(&blocks[1], Block::List(items) if items.len() == 2));
    }
}

/// A store's return window and its policy (folded away until asked for), on its store page and product pages.
#[component]
pub fn ReturnsNote(returns: model::catalog::Returns) -> impl IntoView {
    let window = if returns.days > 0 {
        format!(
            "Returns accepted within {} of delivery.",
            model::count_of(returns.days, "day", "days")
        )
    } else {
        "This store does not accept returns.".to_string()
    };
    view! {
        <div class="returns-note">
            <p class="muted">{window}</p>
            {(!returns.policy.trim().is_empty()).then(|| view! {
                <details>
                    <summary>"Return policy"</summary>
                    <p class="returns-note__policy">{returns.policy}</p>
                </details>
            })}
        </div>
    }
}
