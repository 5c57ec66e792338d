pub mod account_menu;
pub mod catalog;
pub mod forms;
pub mod layout;
pub mod portal;
pub mod search_box;
pub mod shipments;
pub mod variant_picker;
