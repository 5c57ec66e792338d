//! The account forms: plain HTML forms posting to their server functions, rendered on the server only. Without
//! an island they cost the browser bundle nothing (decision 0008); the server answers a failed post by sending
//! the visitor back with the error, which the page renders next to its field, and the browser's own
//! validation (required, minlength, type=email) catches most mistakes before a round trip.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::limits;

use crate::api::accounts::{ChangePassword, Login, Register, RequestEmailChange, ResendVerification, UpdateProfile};
use crate::error::AppError;

/// One labelled input with its error, wired for screen readers (aria-invalid, aria-describedby).
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] minlength: Option<usize>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let mut described_by = Vec::new();
    if hint.is_some() {
        described_by.push(hint_id.clone());
    }
    if error.is_some() {
        described_by.push(error_id.clone());
    }
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                required=required
                inputmode=inputmode
                autocomplete=autocomplete
                value=value
                minlength=minlength
                maxlength=maxlength
                aria-invalid=error.is_some().to_string()
                aria-describedby=(!described_by.is_empty()).then(|| described_by.join(" "))
            />
            {hint.map(|h| view! { <span class="field__hint" id=hint_id>{h}</span> })}
            <span class="field__error" id=error_id role="alert">{error}</span>
        </div>
    }
}

/// A textarea's text as its HTML. Leptos writes a `<textarea>`'s children unescaped (as it does a `<script>`'s),
/// so a description holding `</textarea><a href=…>` would end the field and put live markup on the page. The
/// browser decodes these references inside a textarea, so the seller sees and sends back exactly what they typed.
/// Server-rendered forms only (the portal has no islands).
fn escape_textarea(text: &str) -> String {
    model::escape_html(text)
}

/// A labelled multi-line input with its error, wired like [`Field`].
#[component]
pub fn TextAreaField(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: String,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(default = false)] required: bool,
    #[prop(default = 4)] rows: u32,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by: Vec<String> = [hint.map(|_| hint_id.clone()), error.as_ref().map(|_| error_id.clone())]
        .into_iter()
        .flatten()
        .collect();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                maxlength=maxlength
                aria-invalid=error.is_some().to_string()
                aria-describedby=(!described_by.is_empty()).then(|| described_by.join(" "))
            >{escape_textarea(&value)}</textarea>
            {hint.map(|h| view! { <span class="field__hint" id=hint_id>{h}</span> })}
            <span class="field__error" id=error_id role="alert">{error}</span>
        </div>
    }
}

/// A labelled choice from fixed options `(value, label)`, wired like [`Field`].
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] value: String,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=error.is_some().to_string()
                aria-describedby=error.is_some().then(|| error_id.clone())
            >
                {options.into_iter().map(|(v, l)| {
                    let selected = v == value;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            <span class="field__error" id=error_id role="alert">{error}</span>
        </div>
    }
}

/// The summary at the top of a form with wrong fields: each message links to its field (`fields`: the form's
/// field names and labels, in order). Other errors show as one alert.
#[component]
pub fn ErrorSummary(error: Option<AppError>, fields: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let Some(error) = error else {
        return ().into_any();
    };
    if !matches!(error, AppError::Validation(_)) {
        return view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any();
    }
    let items: Vec<_> = fields
        .iter()
        .filter_map(|(name, label)| error.field(name).map(|m| (*name, *label, m)))
        .collect();
    view! {
        <div class="alert alert--error error-summary" role="alert" tabindex="-1">
            <h2 class="error-summary__title">"Please correct these fields"</h2>
            <ul>
                {items.into_iter().map(|(name, label, message)| view! {
                    <li><a href=format!("#field-{name}")>{format!("{label}: {message}")}</a></li>
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// The error message for field `name`, if `error` carries one.
pub fn error_for(error: &Option<AppError>, name: &str) -> Option<String> {
    field_error(error, name)
}

fn field_error(error: &Option<AppError>, name: &str) -> Option<String> {
    error.as_ref().and_then(|e| e.field(name))
}

/// The form-level message: everything that is not tied to one field.
#[component]
pub fn FormAlert(error: Option<AppError>) -> impl IntoView {
    view! {
        <div role="alert" aria-live="assertive">
            {error.filter(|e| !matches!(e, AppError::Validation(_))).map(|e| view! {
                <p class="alert alert--error">{e.to_string()}</p>
            })}
        </div>
    }
}

#[component]
pub fn LoginForm(next: String, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=Login::url() class="form" aria-label="Log in">
            <input type="hidden" name="next" value=next/>
            <FormAlert error=error.clone()/>
            <Field name="email" label="Email" kind="email" autocomplete="username" error=field_error(&error, "email")/>
            <Field name="password" label="Password" kind="password" autocomplete="current-password" error=field_error(&error, "password")/>
            <button class="button" type="submit">"Log in"</button>
        </form>
    }
}

#[component]
pub fn RegisterForm(next: String, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=Register::url() class="form" aria-label="Create your account">
            <input type="hidden" name="next" value=next/>
            <FormAlert error=error.clone()/>
            <Field name="name" label="Name" autocomplete="name" maxlength=limits::NAME_MAX_CHARS error=field_error(&error, "name")/>
            <Field name="email" label="Email" kind="email" autocomplete="email" maxlength=limits::EMAIL_MAX_CHARS error=field_error(&error, "email")/>
            <Field
                name="password"
                label="Password"
                kind="password"
                autocomplete="new-password"
                hint="8 to 128 characters. Common passwords are not accepted."
                minlength=limits::PASSWORD_MIN_CHARS
                maxlength=limits::PASSWORD_MAX_CHARS
                error=field_error(&error, "password")
            />
            <button class="button" type="submit">"Create account"</button>
        </form>
    }
}

#[component]
pub fn ProfileForm(name: String, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=UpdateProfile::url() class="form" aria-label="Profile">
            <FormAlert error=error.clone()/>
            <Field name="name" label="Name" autocomplete="name" value=name maxlength=limits::NAME_MAX_CHARS error=field_error(&error, "name")/>
            <button class="button" type="submit">"Save profile"</button>
        </form>
    }
}

/// A new email, with the password: the change is made when the link sent to the new address is opened.
#[component]
pub fn EmailChangeForm(asked: bool, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=RequestEmailChange::url() class="form" aria-label="Change email">
            <FormAlert error=error.clone()/>
            <Field name="email" label="New email" kind="email" autocomplete="email" maxlength=limits::EMAIL_MAX_CHARS hint="We send a link there; your email changes when you open it." error=field_error(&error, "email")/>
            <Field name="password" label="Your password" kind="password" autocomplete="current-password" error=field_error(&error, "password")/>
            <div role="status">
                {asked.then(|| view! { <p class="alert alert--success">"We sent a link to the new address: your email changes when you open it. Until then, sign in with your current one."</p> })}
            </div>
            <button class="button button--secondary" type="submit">"Send the link"</button>
        </form>
    }
}

/// An account whose address is not confirmed yet: what to do, and a button that sends a new link.
#[component]
pub fn EmailUnconfirmed(email: String, sent: bool, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=ResendVerification::url() class="form alert alert--warning email-unconfirmed" aria-label="Confirm your email">
            <p>
                "Your email " <strong>{email}</strong> " is not confirmed yet. Open the link we sent there (it works "
                "for 24 hours); you need it confirmed to open a store."
            </p>
            <FormAlert error=error.clone()/>
            {field_error(&error, "email").map(|m| view! { <p class="field__error" role="alert">{m}</p> })}
            <div role="status">
                {sent.then(|| view! { <p><strong>"We sent a new link."</strong></p> })}
            </div>
            <button class="button button--secondary" type="submit">"Send the link again"</button>
        </form>
    }
}

#[component]
pub fn PasswordForm(saved: bool, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=ChangePassword::url() class="form" aria-label="Change password">
            <FormAlert error=error.clone()/>
            <Field name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(&error, "current_password")/>
            <Field
                name="new_password"
                label="New password"
                kind="password"
                autocomplete="new-password"
                hint="8 to 128 characters. Your other devices will be signed out."
                minlength=limits::PASSWORD_MIN_CHARS
                maxlength=limits::PASSWORD_MAX_CHARS
                error=field_error(&error, "new_password")
            />
            <Field name="confirm_password" label="Confirm new password" kind="password" autocomplete="new-password" error=field_error(&error, "confirm_password")/>
            <div role="status">
                {saved.then(|| view! { <p class="alert alert--success">"Password changed. Other sessions were signed out."</p> })}
            </div>
            <button class="button" type="submit">"Change password"</button>
        </form>
    }
}

// Rendering to HTML needs `ssr`, which the workspace's `cargo test` enables through the server.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::prelude::*;

    use super::TextAreaField;

    #[test]
    fn text_in_a_textarea_never_ends_it() {
        let hostile = "</textarea><a href=\"http://evil.example/\">Session expired</a> & more";
        let html = view! { <TextAreaField name="description" label="Description" value=hostile error=None/> }.to_html();
        assert!(!html.contains("<a href"), "{html}");
        assert!(
            html.contains(
                "&lt;/textarea&gt;&lt;a href=&quot;http://evil.example/&quot;&gt;Session expired&lt;/a&gt; &amp; more"
            ),
            "{html}"
        );
    }
}
