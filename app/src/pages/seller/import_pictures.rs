//! The pictures section of an applied import's page: how many of the pictures the file named by address are in,
//! failed (each with its row, product and why) or waiting, "Try the failed ones again", and where to upload a
//! replacement. Fetching runs in the background; the page says so and is reloaded to follow it (no script).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::sellers::PictureProgress;

use crate::api::sellers::RetryPictures;

/// Characters of an address shown in the table (the whole of it is in the link's title).
const ADDRESS_SHOWN: usize = 60;

fn shortened(url: &str) -> String {
    if url.chars().count() <= ADDRESS_SHOWN {
        url.to_string()
    } else {
        format!("{}…", url.chars().take(ADDRESS_SHOWN).collect::<String>())
    }
}

#[component]
pub fn PicturesSection(id: i64, pictures: PictureProgress, retried: Option<u64>) -> impl IntoView {
    let PictureProgress {
        fetched,
        failed,
        waiting,
        failures,
    } = pictures;
    let total = fetched + failed + waiting;
    let summary = format!(
        "{} of {total} in, {failed} failed, {waiting} waiting.",
        model::count_of(fetched as i64, "picture", "pictures")
    );
    let here = format!("/seller/products/import/{id}#pictures");
    view! {
        <section class="card stack" aria-labelledby="pictures">
            <h2 id="pictures">"Pictures"</h2>
            <div role="status">
                {retried.map(|n| view! { <p class="alert alert--success">{format!("{} sent to be fetched again.", model::count_of(n as i64, "picture", "pictures"))}</p> })}
            </div>
            <label class="stack" for="pictures-progress">
                <span>{summary}</span>
                <progress id="pictures-progress" max=total.to_string() value=(fetched + failed).to_string()>{format!("{fetched} of {total}")}</progress>
            </label>
            {(waiting > 0).then(|| view! {
                <p>"Pictures are fetched in the background, a few at a time: you can leave this page. A product you publish in the file goes live with its first picture. " <a href=here.clone()>"Reload to follow it"</a></p>
            })}
            {(failed > 0).then(|| view! {
                <p>"Each failed picture can be fetched again (after you fix what is wrong where it is served), or replaced by uploading a picture in the product's editor."</p>
                <form method="post" action=RetryPictures::url() class="actions">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button class="button" type="submit">{format!("Try the {} again", model::count_of(failed as i64, "failed picture", "failed pictures"))}</button>
                </form>
                <div class="table-scroll">
                    <table class="table">
                        <caption class="visually-hidden">"Pictures that could not be fetched"</caption>
                        <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Product"</th><th scope="col">"Address"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {failures.into_iter().map(|f| view! {
                                <tr>
                                    <td class="num" data-label="Row">{f.row}</td>
                                    <td data-label="Product"><a href=format!("/seller/products/{}", f.product_id)>{f.product_title}</a></td>
                                    <td data-label="Address"><span class="anywhere" title=f.url.clone()>{shortened(&f.url)}</span></td>
                                    <td data-label="Why">{f.reason}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
