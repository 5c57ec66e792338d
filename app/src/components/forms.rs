//! The account forms. Each is an island around an `ActionForm`, so it posts without JS too (the server redirects
//! back and the page shows the error) and, once hydrated, answers in place with errors next to their fields.

use leptos::prelude::*;
use model::limits;

use crate::api::accounts::{ChangePassword, Login, Register, UpdateProfile};
use crate::error::AppError;

/// One labelled input with its error, wired for screen readers (aria-invalid, aria-describedby).
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] minlength: Option<usize>,
    #[prop(optional)] maxlength: Option<usize>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                required=true
                autocomplete=autocomplete
                value=value
                minlength=minlength
                maxlength=maxlength
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <span class="field__hint" id=hint_id>{h}</span> })}
            <span class="field__error" id=error_id role="alert">{move || error.get()}</span>
        </div>
    }
}

/// The error to show: the action's latest answer, else the one a no-JS post brought back in the URL (passed in
/// as a prop by the page, so server and browser render the same thing).
fn current_error<T>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
    initial: Option<AppError>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || match value() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => initial.clone(),
    })
}

fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name)))
}

/// The form-level message: everything that is not tied to one field.
#[component]
fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div role="alert" aria-live="assertive">
            {move || error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|e| view! {
                <p class="alert alert--error">{e.to_string()}</p>
            })}
        </div>
    }
}

fn go_to(url: &str) {
    let _ = window().location().set_href(url);
}

/// After a successful sign-in or registration, a full page load to `next` (the header is server-rendered).
fn go_on_success<T: 'static>(value: impl Fn() -> Option<Result<T, AppError>> + 'static, next: &str) {
    let target = crate::api::safe_next(next);
    Effect::new(move |_| {
        if matches!(value(), Some(Ok(_))) {
            go_to(&target);
        }
    });
}

#[island]
pub fn LoginForm(next: String, initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = current_error(move || action.value().get(), initial_error);
    go_on_success(move || action.value().get(), &next);
    view! {
        <ActionForm action=action attr:class="form" attr:aria-label="Log in">
            <input type="hidden" name="next" value=next/>
            <FormAlert error=error/>
            <Field name="email" label="Email" kind="email" autocomplete="username" error=field_error(error, "email")/>
            <Field name="password" label="Password" kind="password" autocomplete="current-password" error=field_error(error, "password")/>
            <button class="button" type="submit" disabled=move || action.pending().get()>"Log in"</button>
        </ActionForm>
    }
}

#[island]
pub fn RegisterForm(next: String, initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = current_error(move || action.value().get(), initial_error);
    go_on_success(move || action.value().get(), &next);
    view! {
        <ActionForm action=action attr:class="form" attr:aria-label="Create your account">
            <input type="hidden" name="next" value=next/>
            <FormAlert error=error/>
            <Field name="name" label="Name" autocomplete="name" maxlength=limits::NAME_MAX_CHARS error=field_error(error, "name")/>
            <Field name="email" label="Email" kind="email" autocomplete="email" maxlength=limits::EMAIL_MAX_CHARS error=field_error(error, "email")/>
            <Field
                name="password"
                label="Password"
                kind="password"
                autocomplete="new-password"
                hint="8 to 128 characters. Common passwords are not accepted."
                minlength=limits::PASSWORD_MIN_CHARS
                maxlength=limits::PASSWORD_MAX_CHARS
                error=field_error(error, "password")
            />
            <button class="button" type="submit" disabled=move || action.pending().get()>"Create account"</button>
        </ActionForm>
    }
}

#[island]
pub fn ProfileForm(name: String, email: String, initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let error = current_error(move || action.value().get(), initial_error);
    // A full load afterwards, so the header shows the new name too.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            go_to("/account?saved=profile");
        }
    });
    view! {
        <ActionForm action=action attr:class="form" attr:aria-label="Profile">
            <FormAlert error=error/>
            <Field name="name" label="Name" autocomplete="name" value=name maxlength=limits::NAME_MAX_CHARS error=field_error(error, "name")/>
            <Field name="email" label="Email" kind="email" autocomplete="email" value=email maxlength=limits::EMAIL_MAX_CHARS error=field_error(error, "email")/>
            <button class="button" type="submit" disabled=move || action.pending().get()>"Save profile"</button>
        </ActionForm>
    }
}

#[island]
pub fn PasswordForm(initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = current_error(move || action.value().get(), initial_error);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    Effect::new(move |_| {
        if saved() {
            if let Some(form) = form_ref.get() {
                form.reset();
            }
        }
    });
    view! {
        <ActionForm action=action node_ref=form_ref attr:class="form" attr:aria-label="Change password">
            <FormAlert error=error/>
            <Field name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(error, "current_password")/>
            <Field
                name="new_password"
                label="New password"
                kind="password"
                autocomplete="new-password"
                hint="8 to 128 characters. Your other devices will be signed out."
                minlength=limits::PASSWORD_MIN_CHARS
                maxlength=limits::PASSWORD_MAX_CHARS
                error=field_error(error, "new_password")
            />
            <Field name="confirm_password" label="Confirm new password" kind="password" autocomplete="new-password" error=field_error(error, "confirm_password")/>
            <div role="status">
                {move || saved().then(|| view! { <p class="alert alert--success">"Password changed. Other sessions were signed out."</p> })}
            </div>
            <button class="button" type="submit" disabled=move || action.pending().get()>"Change password"</button>
        </ActionForm>
    }
}
