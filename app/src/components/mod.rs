pub mod account_menu;
pub mod forms;
pub mod layout;
