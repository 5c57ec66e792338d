//! `/admin/search`: the search engine's state, its synonyms (add, change, remove; the analytics' searches that
//! found nothing link here with the word filled in) and the index's rebuild; `/admin/search/synonyms/{id}`: one
//! rule's edit form. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::admin_search::{RebuildView, SearchSettings, SynonymView};

use super::admin_gate;
use crate::api::admin::search::{
    admin_search, admin_synonym, RebuildSearchIndex, RemoveSynonym, SaveSynonym, TypedSynonym,
};
use crate::components::forms::{error_for, ErrorSummary, Field, TextAreaField};
use crate::components::portal::{AdminSection, AdminShell, Badge, Notice};
use crate::error::AppError;
use crate::pages::url_error;

const FIELDS: &[(&str, &str)] = &[("term", "Word shoppers search for"), ("alternatives", "Also finds")];

#[component]
pub fn AdminSearchPage() -> impl IntoView {
    let (done, term) = leptos_router::hooks::use_query_map().with_untracked(|q| (q.get("done"), q.get("term")));
    if let Some(gate) = admin_gate("/admin/search") {
        return gate;
    }
    let notice = match done.as_deref() {
        Some("saved") => Some("Synonym saved: searches use it within seconds."),
        Some("removed") => Some("Synonym removed: searches no longer use it."),
        Some("rebuild") => Some("Rebuild asked: the index is rebuilt from the database in the background."),
        Some("waiting") => Some("A rebuild is already waiting or running: no second one was asked."),
        _ => None,
    };
    let error = url_error::<SaveSynonym>();
    let other = url_error::<RemoveSynonym>().or_else(url_error::<RebuildSearchIndex>);
    view! {
        <Title text="Search · Admin"/>
        <AdminShell section=AdminSection::Search>
        <h1 class="page-title">"Search"</h1>
        <Notice text=notice/>
        {other.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match admin_search().await {
                    Ok(screen) => {
                        let typed = screen.kept.filter(|k| k.id.is_empty()).unwrap_or(TypedSynonym {
                            term: term.clone().unwrap_or_default(),
                            ..TypedSynonym::default()
                        });
                        let open = error.is_some() || !typed.term.is_empty();
                        view! {
                            <Engine settings=screen.settings.clone()/>
                            <Synonyms list=screen.settings.synonyms/>
                            <section class="card stack" aria-labelledby="add-title" id="add">
                                <h2 id="add-title">"Add a synonym"</h2>
                                <details open=open>
                                    <summary class="button button--secondary">"Add a synonym…"</summary>
                                    <RuleForm typed=typed version=None error=error.clone() submit="Add synonym"/>
                                </details>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        </AdminShell>
    }
    .into_any()
}

/// The engine, what it holds against what is on sale, and the rebuild.
#[component]
fn Engine(settings: SearchSettings) -> impl IntoView {
    let engine = match settings.engine.as_str() {
        "meilisearch" => "Meilisearch",
        _ => "Embedded index (tantivy)",
    };
    let indexed = settings.indexed.map_or_else(
        || "Not answering now (listings answer from the database)".to_string(),
        |n| n.to_string(),
    );
    view! {
        <section class="card stack" aria-labelledby="engine-title">
            <h2 id="engine-title">"Search index"</h2>
            <dl class="details">
                <dt>"Engine"</dt><dd>{engine}</dd>
                <dt>"Products in the index"</dt><dd>{indexed}</dd>
                <dt>"Products on sale"</dt><dd>{settings.on_sale}</dd>
                <dt>"Last rebuild"</dt><dd><RebuildState rebuild=settings.rebuild.clone()/></dd>
            </dl>
            <p class="muted">"Changes to products reach the index within a second. Rebuild it when it and the \
                catalog disagree (after restoring a backup, say): listings answer from the database meanwhile, \
                and product changes reach the index once it is done."</p>
            <form method="post" action=RebuildSearchIndex::url()>
                <button class="button button--secondary" type="submit">"Rebuild the search index"</button>
            </form>
        </section>
    }
}

#[component]
fn RebuildState(rebuild: Option<RebuildView>) -> impl IntoView {
    let Some(r) = rebuild else {
        return view! { <span>"None asked"</span> }.into_any();
    };
    let tone = match r.state() {
        "Done" => "success",
        "Failed" => "danger",
        _ => "warning",
    };
    let when = |at: i64| format!("{} UTC", model::format_time(at));
    let detail = match (r.started_at, r.finished_at, r.documents) {
        (_, Some(at), Some(n)) => format!("{n} products indexed, finished {}", when(at)),
        (_, Some(at), None) => format!(
            "at {}: listings answer from the database until a rebuild succeeds",
            when(at)
        ),
        (Some(at), None, _) => format!("since {}", when(at)),
        (None, None, _) => format!("since {}", when(r.requested_at)),
    };
    let running = r
        .running()
        .then(|| view! { " " <a href="/admin/search">"Check again"</a> });
    view! {
        <span>
            <Badge label=r.state() tone=tone/>" "{format!("{detail}, asked by {}.", r.requested_by)}{running}
        </span>
    }
    .into_any()
}

#[component]
fn Synonyms(list: Vec<SynonymView>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="synonyms-title">
            <h2 id="synonyms-title">"Synonyms"</h2>
            <p class="muted">"A synonym makes a word find other words too: “settee” also finds “sofa”. Both ways, \
                “sofa” finds “settee” as well. They apply to every search at once, no rebuild needed."</p>
            {if list.is_empty() {
                view! { <p>"No synonyms yet. Searches that found nothing, on the Analytics screen, offer to add one."</p> }.into_any()
            } else {
                view! {
                    <table class="table table--compact">
                        <caption class="visually-hidden">"Synonyms"</caption>
                        <thead><tr>
                            <th scope="col">"Word"</th><th scope="col">"Also finds"</th><th scope="col">"Applies"</th>
                            <th scope="col">"Changed"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|r| view! { <SynonymRow rule=r/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SynonymRow(rule: SynonymView) -> impl IntoView {
    let changed = model::format_date(rule.changed_at);
    let summary = rule.summary();
    let effect = if rule.both_ways {
        "Searches for any of these words will find only that word again."
    } else {
        "Searches for it will find only that word again."
    };
    view! {
        <tr>
            <th scope="row" data-label="Word">{rule.term.clone()}</th>
            <td data-label="Also finds">{rule.alternatives.join(", ")}</td>
            <td data-label="Applies">{if rule.both_ways { "Both ways" } else { "One way" }}</td>
            <td data-label="Changed"><time datetime=changed.clone()>{changed.clone()}</time>{format!(" by {}", rule.changed_by)}</td>
            <td data-label="Actions">
                <div class="actions">
                    <a href=format!("/admin/search/synonyms/{}", rule.id)>{format!("Change “{}”", rule.term)}</a>
                    <details class="reject">
                        <summary class="button button--secondary">{format!("Remove “{}”…", rule.term)}</summary>
                        <form method="post" action=RemoveSynonym::url() class="form">
                            <input type="hidden" name="id" value=rule.id.to_string()/>
                            <input type="hidden" name="version" value=rule.version.to_string()/>
                            <p>{format!("Remove the synonym {summary}? {effect}")}</p>
                            <button class="button button--danger" type="submit">"Remove synonym"</button>
                        </form>
                    </details>
                </div>
            </td>
        </tr>
    }
}

/// The rule's fields: the word, what it also finds, both ways.
#[component]
fn RuleForm(typed: TypedSynonym, version: Option<i64>, error: Option<AppError>, submit: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=SaveSynonym::url() class="form stack" novalidate>
            <ErrorSummary error=error.clone() fields=FIELDS/>
            <input type="hidden" name="id" value=typed.id.clone()/>
            <input type="hidden" name="version" value=version.map(|v| v.to_string()).unwrap_or_default()/>
            <Field name="term" label="Word shoppers search for" value=typed.term.clone() maxlength=100
                hint="One word, as shoppers type it: settee" error=error_for(&error, "term")/>
            <TextAreaField name="alternatives" label="Also finds" value=typed.alternatives.clone() rows=3
                maxlength=1000 required=true hint="Words or short phrases, separated by commas: sofa, couch"
                error=error_for(&error, "alternatives")/>
            <div class="field field--check">
                <input id="field-both_ways" type="checkbox" name="both_ways" value="1" checked=typed.both_ways/>
                <label for="field-both_ways">"Both ways: each of these words also finds the others (single words only)"</label>
            </div>
            <div class="actions">
                <button class="button" type="submit">{submit}</button>
                <a href="/admin/search">"Cancel"</a>
            </div>
        </form>
    }
}

/// `/admin/search/synonyms/{id}`: one rule's edit form, on the version it shows.
#[component]
pub fn AdminSynonymPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let raw = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    if let Some(gate) = admin_gate(&format!("/admin/search/synonyms/{}", crate::url_encode(&raw))) {
        return gate;
    }
    let id = raw.parse::<i64>().unwrap_or(0);
    let error = url_error::<SaveSynonym>();
    view! {
        <Title text="Synonym · Admin"/>
        <AdminShell section=AdminSection::Search>
        <p><a href="/admin/search">"← Search"</a></p>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match admin_synonym(id).await {
                    Ok((rule, kept)) => {
                        let typed = kept.unwrap_or(TypedSynonym {
                            id: rule.id.to_string(),
                            term: rule.term.clone(),
                            alternatives: rule.alternatives.join(", "),
                            both_ways: rule.both_ways,
                        });
                        view! {
                            <h1 class="page-title">{format!("Synonym “{}”", rule.term)}</h1>
                            <section class="card stack" aria-label="Change the synonym">
                                <RuleForm typed=typed version=Some(rule.version) error=error.clone() submit="Save synonym"/>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <h1 class="page-title">"Synonym"</h1>
                        <p class="alert alert--error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
        </AdminShell>
    }
    .into_any()
}
