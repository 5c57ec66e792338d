pub mod account_menu;
pub mod catalog;
pub mod forms;
pub mod layout;
pub mod variant_picker;
