//! The seller's product editor (`/seller/products/new`, `/seller/products/{id}`): one plain form in sections,
//! the picture upload beside it, and the preview of a product as its page will show it
//! (`/seller/products/{id}/preview`). No island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::product_form::{ProductField, ProductStatus, VariantField};
use model::sellers::{
    AttributeField, AttributeInput, ImageInput, OptionInput, PictureView, ProductEditor, ProductForm, VariantInput,
};

use crate::api::sellers::{product_editor, SaveProduct};
use crate::components::catalog::Markdown;
use crate::components::forms::error_for;
use crate::components::portal::{PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

/// Every refused field of the product form at the top of the page, each a link to its input (the variant
/// table's cells included), in the order the form shows them.
#[component]
fn FormErrors(error: Option<AppError>) -> impl IntoView {
    let Some(error) = error else {
        return ().into_any();
    };
    let AppError::Validation(fields) = &error else {
        return view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any();
    };
    let items: Vec<(String, String)> = fields
        .iter()
        .map(|f| match ProductField::parse(&f.field) {
            Some(field) => (field.input_id(), format!("{}: {}", field.label(), f.message)),
            None => (format!("field-{}", f.field), f.message.clone()),
        })
        .collect();
    view! {
        <div class="alert alert--error error-summary" role="alert" tabindex="-1">
            <h2 class="error-summary__title">"Please correct these fields"</h2>
            <ul>
                {items.into_iter().map(|(id, text)| view! { <li><a href=format!("#{id}")>{text}</a></li> }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
pub fn SellerProductEditorPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let raw = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let path = format!("/seller/products/{raw}");
    if let Some(instead) = portal_gate(&path) {
        return instead;
    }
    let id: Option<i64> = if raw == "new" {
        None
    } else {
        match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => return view! { <crate::pages::errors::NotFoundPage/> }.into_any(),
        }
    };
    let query = leptos_router::hooks::use_query_map();
    let (saved, uploaded) = query.with_untracked(|q| (q.get("saved").is_some(), q.get("uploaded")));
    let error = url_error::<SaveProduct>();
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match product_editor(id).await {
                    Ok(page) => view! {
                        <Editor editor=page.editor preview=page.preview refused=page.refused saved=saved uploaded=uploaded.clone() error=error.clone()/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::pages::errors::NotFoundPage/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Editor(
    editor: ProductEditor,
    preview: bool,
    refused: Vec<(String, String)>,
    saved: bool,
    uploaded: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let ProductEditor {
        store_name,
        store_slug,
        form,
        categories,
        attributes,
        warehouses,
        pictures,
        slug,
        currency,
        backorders,
    } = editor;
    let is_new = form.id.is_empty();
    let heading = if is_new {
        "Add product".to_string()
    } else {
        form.title.clone()
    };
    let page_title = format!(
        "{} · Seller portal",
        if is_new { "Add product" } else { "Edit product" }
    );
    // One polite announcement: the save, or the upload.
    let on_sale = ProductStatus::parse(&form.status) == Some(ProductStatus::Active);
    let notice = save_notice(saved && error.is_none(), uploaded, on_sale);
    let ProductForm {
        id,
        version,
        title,
        category,
        description,
        status,
        attributes: typed_attributes,
        options,
        variants,
        images,
        seo_title,
        seo_description,
        tags,
    } = form;
    let product_id = id.clone();
    view! {
        <Title text=page_title/>
        <PortalShell section=Section::Products store_name=store_name store_slug=store_slug>
            <p><a href="/seller/products">"← Products"</a></p>
            <EditorHeading heading=heading slug=slug on_sale=on_sale product_id=product_id.clone()/>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            <RefusedFiles refused=refused/>
            <FormErrors error=error.clone()/>
            <form method="post" action=SaveProduct::url() class="form stack" novalidate aria-label="Product">
                <input type="hidden" name="id" value=id.clone()/>
                <input type="hidden" name="version" value=version/>
                <BasicsSection title=title category=category status=status categories=categories error=error.clone()/>
                <DescriptionSection description=description preview=preview error=error.clone()/>
                <TagsSection tags=tags error=error.clone()/>
                <SearchEngineSection seo_title=seo_title seo_description=seo_description error=error.clone()/>
                {(!attributes.is_empty()).then(|| view! {
                    <AttributesSection attributes=attributes typed_attributes=typed_attributes error=error.clone()/>
                })}
                <PicturesSection images=images pictures=pictures product_id=product_id.clone() error=error.clone()/>
                <VariantsSection options=options variants=variants warehouses=warehouses currency=currency backorders=backorders error=error.clone()/>
                <div class="form-actions">
                    <button class="button" type="submit" name="intent" value="save">"Save product"</button>
                    <a href="/seller/products">"Cancel"</a>
                </div>
            </form>
        </PortalShell>
    }
}

/// The announcement after a save or an upload. Said only of what happened: a refused save also comes back to the
/// editor, with the error and without `saved`.
fn save_notice(saved: bool, uploaded: Option<String>, on_sale: bool) -> Option<String> {
    match (saved, uploaded) {
        (true, _) if on_sale => Some("Product saved. It is on the storefront and in search within a second.".into()),
        (true, _) => Some("Product saved as a draft: shoppers do not see it until you publish it.".into()),
        (false, Some(n)) if n == "1" => {
            Some("1 picture added. Describe it in its alt text (for shoppers who cannot see it), then save.".into())
        }
        (false, Some(n)) => Some(format!(
            "{n} pictures added. Describe each in its alt text (for shoppers who cannot see it), then save."
        )),
        (false, None) => None,
    }
}

/// The editor's heading, with the product's storefront page (on sale) or its preview (not on sale).
#[component]
fn EditorHeading(heading: String, slug: Option<String>, on_sale: bool, product_id: String) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1 class="page-title">{heading}</h1>
            {match (slug, on_sale) {
                (Some(s), true) => Some(view! { <a href=format!("/p/{s}")>"View on the storefront"</a> }.into_any()),
                (Some(_), false) => Some(view! { <a href=format!("/seller/products/{}/preview", product_id)>"Preview"</a> }.into_any()),
                (None, _) => None,
            }}
        </div>
    }
}

/// The uploaded files that were not added, and why.
#[component]
fn RefusedFiles(refused: Vec<(String, String)>) -> impl IntoView {
    (!refused.is_empty()).then(|| view! {
        <div class="alert alert--error" role="alert">
            <p>"These files were not added:"</p>
            <ul>{refused.into_iter().map(|(name, why)| view! { <li>{format!("{name}: {why}")}</li> }).collect_view()}</ul>
        </div>
    })
}

/// Title, category and status.
#[component]
fn BasicsSection(
    title: String,
    category: String,
    status: String,
    categories: Vec<(i64, String)>,
    error: Option<AppError>,
) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    view! {
        <section class="card stack" aria-labelledby="basics-title">
            <h2 id="basics-title">"Basics"</h2>
            <crate::components::forms::Field name="title" label="Title" value=title maxlength=150 error=err("title")/>
            <crate::components::forms::SelectField
                name="category"
                label="Category"
                options={
                    let mut o = vec![(String::new(), "Choose a category".to_string())];
                    o.extend(categories.iter().map(|(id, name)| (id.to_string(), name.clone())));
                    o
                }
                value=category
                error=err("category")
            />
            <crate::components::forms::SelectField
                name="status"
                label="Status"
                options=vec![
                    ("draft".to_string(), "Draft (not on sale)".to_string()),
                    ("active".to_string(), "Active (on sale)".to_string()),
                    ("archived".to_string(), "Archived".to_string()),
                ]
                value=status
                error=err("status")
            />
        </section>
    }
}

/// The description, and its preview as the product page shows it when asked for.
#[component]
fn DescriptionSection(description: String, preview: bool, error: Option<AppError>) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    let description_for_preview = description.clone();
    view! {
        <section class="card stack" aria-labelledby="description-title" id="preview">
            <h2 id="description-title">"Description"</h2>
            <crate::components::forms::TextAreaField
                name="description"
                label="Description"
                value=description
                rows=8
                maxlength=10000
                hint="Paragraphs are separated by an empty line; lines starting with - make a list; **bold**."
                error=err("description")
            />
            <p><button class="button button--secondary" type="submit" name="intent" value="preview">"Preview description"</button></p>
            {preview.then(|| view! {
                <section class="preview" aria-labelledby="preview-title">
                    <h3 id="preview-title">"Preview, as the product page shows it"</h3>
                    <Markdown source=description_for_preview.clone()/>
                </section>
            })}
        </section>
    }
}

/// The product's tags: typed as one comma-separated line, shown as chips below it (as they were saved or typed).
#[component]
fn TagsSection(tags: String, error: Option<AppError>) -> impl IntoView {
    let chips = model::sellers::split_tags(&tags);
    view! {
        <section class="card stack" aria-labelledby="tags-title">
            <h2 id="tags-title">"Tags"</h2>
            <crate::components::forms::Field name="tags" label="Tags" value=tags maxlength=2000 required=false hint="Separated by commas: winter, ice tools. Shoppers find the product by them; you can filter your products by them." error=error_for(&error, "tags")/>
            {(!chips.is_empty()).then(|| view! {
                <ul class="chips" aria-label="The product's tags">
                    {chips.into_iter().map(|t| view! { <li class="chip">{t}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// What search engines show of the product's page: its title and description there (optional).
#[component]
fn SearchEngineSection(seo_title: String, seo_description: String, error: Option<AppError>) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    view! {
        <section class="card stack" aria-labelledby="seo-title">
            <h2 id="seo-title">"Search engines"</h2>
            <crate::components::forms::Field name="seo_title" label="Title in search engines" value=seo_title maxlength=70 required=false hint="Up to 70 characters. Empty: the product's title." error=err("seo_title")/>
            <crate::components::forms::Field name="seo_description" label="Description in search engines" value=seo_description maxlength=320 required=false hint="Up to 320 characters, one line: the text under the title in search results." error=err("seo_description")/>
        </section>
    }
}

/// The typed attributes the category asks for, each entered as its kind says.
#[component]
fn AttributesSection(
    attributes: Vec<AttributeField>,
    typed_attributes: Vec<AttributeInput>,
    error: Option<AppError>,
) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    view! {
        <section class="card stack" aria-labelledby="attributes-title">
            <h2 id="attributes-title">"Attributes"</h2>
            <p class="muted">"Shoppers filter by these. Leave one empty to leave it out."</p>
            {attributes.iter().enumerate().map(|(i, a)| {
                let value = typed_attributes.iter().find(|t| t.name == a.name).map(|t| t.value.clone()).unwrap_or_default();
                let field_id = ProductField::Attribute(i).input_id();
                let error_id = format!("{field_id}-error");
                let error = err(&ProductField::Attribute(i).name());
                let label = if a.unit.is_empty() { a.name.clone() } else { format!("{} ({})", a.name, a.unit) };
                let input = match a.kind.as_str() {
                    "choice" => view! {
                        <select id=field_id.clone() name=format!("attributes[{i}][value]") aria-invalid=error.is_some().to_string() aria-describedby=error_id.clone()>
                            <option value="">"—"</option>
                            {a.choices.iter().map(|c| view! { <option value=c.clone() selected=*c == value>{c.clone()}</option> }).collect_view()}
                        </select>
                    }.into_any(),
                    "boolean" => view! {
                        <select id=field_id.clone() name=format!("attributes[{i}][value]") aria-invalid=error.is_some().to_string() aria-describedby=error_id.clone()>
                            <option value="">"—"</option>
                            <option value="Yes" selected=value == "Yes">"Yes"</option>
                            <option value="No" selected=value == "No">"No"</option>
                        </select>
                    }.into_any(),
                    "number" => view! {
                        <input id=field_id.clone() name=format!("attributes[{i}][value]") type="text" inputmode="decimal" value=value aria-invalid=error.is_some().to_string() aria-describedby=error_id.clone()/>
                    }.into_any(),
                    _ => view! {
                        <input id=field_id.clone() name=format!("attributes[{i}][value]") type="text" maxlength="200" value=value aria-invalid=error.is_some().to_string() aria-describedby=error_id.clone()/>
                    }.into_any(),
                };
                view! {
                    <div class="field">
                        <input type="hidden" name=format!("attributes[{i}][name]") value=a.name.clone()/>
                        <label for=field_id>{label}</label>
                        {input}
                        <span class="field__error" id=error_id role="alert">{error}</span>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

/// The product's pictures: alt text, position and removal of each, and (for a saved product) the upload, which
/// sends the whole form so nothing typed is lost.
#[component]
fn PicturesSection(
    images: Vec<ImageInput>,
    pictures: Vec<PictureView>,
    product_id: String,
    error: Option<AppError>,
) -> impl IntoView {
    let is_new = product_id.is_empty();
    let err = move |name: &str| error_for(&error, name);
    view! {
        <section class="card stack" aria-labelledby="pictures-title">
            <h2 id="pictures-title">"Pictures"</h2>
            {if images.is_empty() {
                view! { <p class="muted">{if is_new { "Save the product first, then add pictures here." } else { "No pictures yet: add some below. A product needs one to be published." }}</p> }.into_any()
            } else {
                view! {
                    <ul class="pictures">
                        {images.iter().enumerate().map(|(i, img)| {
                            let url = pictures.iter().find(|p| p.key == img.key).map(|p| p.url.clone()).unwrap_or_default();
                            let alt_id = ProductField::ImageAlt(i).input_id();
                            let pos_id = format!("field-images-{i}-position");
                            let rm_id = format!("field-images-{i}-remove");
                            let error = err(&ProductField::ImageAlt(i).name());
                            view! {
                                <li class="picture">
                                    <img src=url alt="" width="80" height="80"/>
                                    <input type="hidden" name=format!("images[{i}][key]") value=img.key.clone()/>
                                    <div class="field">
                                        <label for=alt_id.clone()>{format!("Alt text of picture {}", i + 1)}</label>
                                        <input id=alt_id.clone() name=format!("images[{i}][alt]") value=img.alt.clone() maxlength="200" aria-invalid=error.is_some().to_string()/>
                                        <span class="field__error" role="alert">{error}</span>
                                    </div>
                                    <div class="field field--small">
                                        <label for=pos_id.clone()>{format!("Position of picture {}", i + 1)}</label>
                                        <input id=pos_id name=format!("images[{i}][position]") type="number" min="1" value=img.position.clone()/>
                                    </div>
                                    <label class="check" for=rm_id.clone()>
                                        <input id=rm_id.clone() type="checkbox" name=format!("images[{i}][remove]") checked=img.remove == "on"/>
                                        {format!(" Remove picture {}", i + 1)}
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!is_new).then(|| view! { <UploadPictures product_id=product_id/> })}
        </section>
    }
}

/// The options (up to three) and one row per variant.
#[component]
fn VariantsSection(
    options: Vec<OptionInput>,
    variants: Vec<VariantInput>,
    warehouses: Vec<(i64, String)>,
    currency: String,
    backorders: bool,
    error: Option<AppError>,
) -> impl IntoView {
    // Borrows: `error` also goes to the rows below.
    let err = |name: &str| error_for(&error, name);
    let mut option_rows = options.clone();
    while option_rows.len() < 3 {
        option_rows.push(Default::default());
    }
    let option_names: Vec<String> = options
        .iter()
        .map(|o| o.name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    view! {
        <section class="card stack" aria-labelledby="variants-title" id="variants">
            <h2 id="variants-title">"Options and variants"</h2>
            {err(&ProductField::Variants.name()).map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            <p class="muted">"Name up to three options and list their values, separated by commas (Size: S, M, L). Generate variants makes one row per combination and keeps what you typed in existing rows."</p>
            <OptionRows option_rows=option_rows error=error.clone()/>
            <p><button class="button button--secondary" type="submit" name="intent" value="generate">"Generate variants"</button></p>
            <VariantsTable variants=variants warehouses=warehouses no_options=option_names.is_empty() currency=currency backorders=backorders error=error.clone()/>
        </section>
    }
}

/// Each option's name and values (three rows, the unused ones empty).
#[component]
fn OptionRows(option_rows: Vec<OptionInput>, error: Option<AppError>) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    view! {
        <div class="options">
            {option_rows.iter().enumerate().map(|(i, o)| {
                let name_id = ProductField::OptionName(i).input_id();
                let values_id = format!("field-options-{i}-values");
                let error = err(&ProductField::OptionName(i).name());
                view! {
                    <div class="field-row">
                        <div class="field">
                            <label for=name_id.clone()>{format!("Option {} name", i + 1)}</label>
                            <input id=name_id name=format!("options[{i}][name]") value=o.name.clone() maxlength="40" aria-invalid=error.is_some().to_string()/>
                            <span class="field__error" role="alert">{error}</span>
                        </div>
                        <div class="field">
                            <label for=values_id.clone()>{format!("Option {} values", i + 1)}</label>
                            <input id=values_id name=format!("options[{i}][values]") value=o.values.clone()/>
                        </div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// The variants table: a column per warehouse for its stock.
#[component]
fn VariantsTable(
    variants: Vec<VariantInput>,
    warehouses: Vec<(i64, String)>,
    no_options: bool,
    currency: String,
    backorders: bool,
    error: Option<AppError>,
) -> impl IntoView {
    view! {
        <p class="field__hint">
            "Shoppers see a crossed-out \"was\" price only when a price is below the lowest price of the 30 days "
            "before it (the EU's Omnibus rule): lowering a price shows it, a compare-at price does not. The "
            "compare-at price is kept for your catalog files."
        </p>
        <div class="table-scroll">
            <table class="table variants">
                <caption class="visually-hidden">"Variants"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Variant"</th>
                        <th scope="col">"SKU"</th>
                        <th scope="col">{format!("Price ({currency})")}</th>
                        <th scope="col">"Compare-at price"</th>
                        <th scope="col">"Weight (g)"</th>
                        <th scope="col">"Barcode"</th>
                        <th scope="col">"Cost"</th>
                        {warehouses.iter().map(|(_, name)| view! { <th scope="col">{format!("Stock: {name}")}</th> }).collect_view()}
                        {backorders.then(|| view! { <th scope="col">"Keep selling when out of stock"</th> })}
                        <th scope="col">"Remove"</th>
                    </tr>
                </thead>
                <tbody>
                    {variants.into_iter().enumerate().map(|(i, v)| view! {
                        <VariantRow index=i variant=v warehouses=warehouses.clone() no_options=no_options backorders=backorders error=error.clone()/>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One variant: its values, SKU, prices, weight, stock in each warehouse and removal.
#[component]
fn VariantRow(
    index: usize,
    variant: VariantInput,
    warehouses: Vec<(i64, String)>,
    no_options: bool,
    backorders: bool,
    error: Option<AppError>,
) -> impl IntoView {
    let err = move |name: &str| error_for(&error, name);
    let (i, v) = (index, &variant);
    let label = if v.values.iter().all(|s| s.is_empty()) {
        format!("variant {}", i + 1)
    } else {
        v.values.join(" / ")
    };
    let cell = |name: &'static str, part: VariantField, value: String, what: &'static str, mode: &'static str| {
        let fid = ProductField::Variant(i, part).input_id();
        let error = err(&ProductField::Variant(i, part).name());
        let eid = format!("{fid}-error");
        view! {
            <td data-label=what>
                <input id=fid name=format!("variants[{i}][{name}]") value=value inputmode=mode aria-label=format!("{what} of {label}") aria-invalid=error.is_some().to_string() aria-describedby=eid.clone()/>
                <span class="field__error" id=eid role="alert">{error}</span>
            </td>
        }
    };
    let values_error = err(&ProductField::Variant(i, VariantField::Values).name());
    view! {
        <tr>
            <th scope="row">
                <input type="hidden" name=format!("variants[{i}][id]") value=v.id.clone()/>
                {v.values.iter().enumerate().map(|(n, value)| view! {
                    <input type="hidden" name=format!("variants[{i}][values][{n}]") value=value.clone()/>
                }).collect_view()}
                {if no_options { "Default".to_string() } else { v.values.join(" / ") }}
                {values_error.map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
            </th>
            {cell("sku", VariantField::Sku, v.sku.clone(), "SKU", "text")}
            {cell("price", VariantField::Price, v.price.clone(), "Price", "decimal")}
            {cell("compare_at", VariantField::CompareAt, v.compare_at.clone(), "Compare-at price", "decimal")}
            {cell("weight", VariantField::Weight, v.weight.clone(), "Weight in grams", "numeric")}
            {cell("barcode", VariantField::Barcode, v.barcode.clone(), "Barcode", "text")}
            {cell("cost", VariantField::Cost, v.cost.clone(), "Cost", "decimal")}
            {warehouses.iter().enumerate().map(|(w, (wid, wname))| {
                let typed = v.stock.iter().find(|s| s.warehouse == wid.to_string()).cloned().unwrap_or_default();
                let fid = ProductField::Variant(i, VariantField::Stock(w)).input_id();
                let error = err(&ProductField::Variant(i, VariantField::Stock(w)).name());
                view! {
                    <td data-label=format!("Stock: {wname}")>
                        <input type="hidden" name=format!("variants[{i}][stock][{w}][warehouse]") value=wid.to_string()/>
                        <input type="hidden" name=format!("variants[{i}][stock][{w}][was]") value=typed.was.clone()/>
                        <input id=fid name=format!("variants[{i}][stock][{w}][units]") value=typed.units.clone() inputmode="numeric" aria-label=format!("Stock of {label} in {wname}") aria-invalid=error.is_some().to_string()/>
                        <span class="field__error" role="alert">{error}</span>
                    </td>
                }
            }).collect_view()}
            {backorders.then(|| view! {
                <td data-label="Keep selling when out of stock">
                    <input type="checkbox" name=format!("variants[{i}][keep_selling]") checked=v.keep_selling == "on" aria-label=format!("Keep selling {label} when out of stock")/>
                </td>
            })}
            <td data-label="Remove">
                <input type="checkbox" name=format!("variants[{i}][remove]") checked=v.remove == "on" aria-label=format!("Remove {label}")/>
            </td>
        </tr>
    }
}

/// The upload of a saved product's pictures: part of the editor's form, posted as `multipart/form-data` by its
/// own button, so what the seller typed elsewhere comes back as typed (not saved) with the new pictures.
#[component]
fn UploadPictures(product_id: String) -> impl IntoView {
    view! {
        <div class="stack" role="group" aria-labelledby="upload-title">
            <h3 id="upload-title">"Add pictures"</h3>
            <div class="field">
                <label for="field-pictures">"Pictures (JPEG, PNG or WebP, up to 10 MB each)"</label>
                <input id="field-pictures" type="file" name="pictures" multiple accept="image/jpeg,image/png,image/webp" aria-describedby="upload-hint"/>
                <span class="field__hint" id="upload-hint">"Uploading keeps what you typed in this form; save it afterwards."</span>
            </div>
            <p>
                <button class="button button--secondary" type="submit" formaction=format!("/seller/products/{product_id}/pictures") formenctype="multipart/form-data" formmethod="post">"Upload pictures"</button>
            </p>
        </div>
    }
}

/// `/seller/products/{id}/preview`: the product as its page will show it, whatever its status.
#[component]
pub fn SellerProductPreviewPage() -> impl IntoView {
    let raw = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    if let Some(instead) = portal_gate(&format!("/seller/products/{raw}/preview")) {
        return instead;
    }
    let Ok(id) = raw.parse::<i64>() else {
        return view! { <crate::pages::errors::NotFoundPage/> }.into_any();
    };
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match crate::api::sellers::product_preview(id).await {
                    Ok(p) => view! {
                        <Title text=format!("Preview: {} · Seller portal", p.card.title)/>
                        <p class="alert" role="note">
                            "Preview: shoppers do not see this product until you publish it. "
                            <a href=format!("/seller/products/{id}")>"Back to the editor"</a>
                        </p>
                        <crate::pages::product::ProductArticle product=p preview=true/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::pages::errors::NotFoundPage/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
