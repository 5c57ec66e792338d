//! The product form's vocabulary, shared by the rules (domain), an import's report and the editor's page: a
//! product's status, and the path of each field of the form. One path names a field everywhere: the rules report
//! an error at `ProductField::Variant(2, VariantField::Price)`, the page's input for it has the id
//! `field-variants-2-price`, and an import places the same error at the row and column of that variant's price.

/// Where a product is: being prepared, on sale, or put away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 3] = [ProductStatus::Draft, ProductStatus::Active, ProductStatus::Archived];

    /// The stored and submitted form: `draft`, `active`, `archived`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }

    /// A status as stored or submitted (any case, trimmed); `None` for anything else.
    pub fn parse(text: &str) -> Option<ProductStatus> {
        let text = text.trim();
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// A field of a variant row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantField {
    Values,
    Sku,
    Price,
    CompareAt,
    Weight,
    Barcode,
    Cost,
    /// Its units in the form's `w`-th warehouse.
    Stock(usize),
}

/// A field of the product form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductField {
    /// The form itself (a damaged id).
    Id,
    Title,
    Category,
    Description,
    Status,
    SeoTitle,
    SeoDescription,
    Tags,
    /// The options as a whole (too many).
    Options,
    /// The variants as a whole (none, too many).
    Variants,
    /// The category's `n`-th attribute.
    Attribute(usize),
    OptionName(usize),
    ImageAlt(usize),
    Variant(usize, VariantField),
}

impl ProductField {
    /// The field's name, as an error's key and the stem of its input's id: `variants-2-stock-1`.
    pub fn name(self) -> String {
        match self {
            ProductField::Id => "id".into(),
            ProductField::Title => "title".into(),
            ProductField::Category => "category".into(),
            ProductField::Description => "description".into(),
            ProductField::Status => "status".into(),
            ProductField::SeoTitle => "seo_title".into(),
            ProductField::SeoDescription => "seo_description".into(),
            ProductField::Tags => "tags".into(),
            ProductField::Options => "options".into(),
            ProductField::Variants => "variants".into(),
            ProductField::Attribute(i) => format!("attributes-{i}"),
            ProductField::OptionName(i) => format!("options-{i}-name"),
            ProductField::ImageAlt(i) => format!("images-{i}-alt"),
            ProductField::Variant(i, part) => match part {
                VariantField::Values => format!("variants-{i}-values"),
                VariantField::Sku => format!("variants-{i}-sku"),
                VariantField::Price => format!("variants-{i}-price"),
                VariantField::CompareAt => format!("variants-{i}-compare_at"),
                VariantField::Weight => format!("variants-{i}-weight"),
                VariantField::Barcode => format!("variants-{i}-barcode"),
                VariantField::Cost => format!("variants-{i}-cost"),
                VariantField::Stock(w) => format!("variants-{i}-stock-{w}"),
            },
        }
    }

    /// The id of the field's input on the editor's page.
    pub fn input_id(self) -> String {
        format!("field-{}", self.name())
    }

    /// A field by its name (what an error names when it comes back through a form post); `None` for others.
    pub fn parse(name: &str) -> Option<ProductField> {
        let simple = [
            ProductField::Id,
            ProductField::Title,
            ProductField::Category,
            ProductField::Description,
            ProductField::Status,
            ProductField::SeoTitle,
            ProductField::SeoDescription,
            ProductField::Tags,
            ProductField::Options,
            ProductField::Variants,
        ];
        if let Some(field) = simple.into_iter().find(|f| f.name() == name) {
            return Some(field);
        }
        let mut parts = name.split('-');
        let (kind, n) = (parts.next()?, parts.next()?.parse::<usize>().ok()?);
        let field = match (kind, parts.next(), parts.next()) {
            ("attributes", None, _) => ProductField::Attribute(n),
            ("options", Some("name"), None) => ProductField::OptionName(n),
            ("images", Some("alt"), None) => ProductField::ImageAlt(n),
            ("variants", Some(part), w) => ProductField::Variant(
                n,
                match (part, w) {
                    ("values", None) => VariantField::Values,
                    ("sku", None) => VariantField::Sku,
                    ("price", None) => VariantField::Price,
                    ("compare_at", None) => VariantField::CompareAt,
                    ("weight", None) => VariantField::Weight,
                    ("barcode", None) => VariantField::Barcode,
                    ("cost", None) => VariantField::Cost,
                    ("stock", Some(w)) => VariantField::Stock(w.parse().ok()?),
                    _ => return None,
                },
            ),
            _ => return None,
        };
        (parts.next().is_none() && field.name() == name).then_some(field)
    }

    /// The field as a person names it in a list of errors: "Price of variant 3".
    pub fn label(self) -> String {
        match self {
            ProductField::Id => "The form".into(),
            ProductField::Title => "Title".into(),
            ProductField::Category => "Category".into(),
            ProductField::Description => "Description".into(),
            ProductField::Status => "Status".into(),
            ProductField::SeoTitle => "Title in search engines".into(),
            ProductField::SeoDescription => "Description in search engines".into(),
            ProductField::Tags => "Tags".into(),
            ProductField::Options => "Options".into(),
            ProductField::Variants => "Variants".into(),
            ProductField::Attribute(i) => format!("Attribute {}", i + 1),
            ProductField::OptionName(i) => format!("Name of option {}", i + 1),
            ProductField::ImageAlt(i) => format!("Description of picture {}", i + 1),
            ProductField::Variant(i, part) => {
                let what = match part {
                    VariantField::Values => "Options".to_string(),
                    VariantField::Sku => "SKU".into(),
                    VariantField::Price => "Price".into(),
                    VariantField::CompareAt => "Compare-at price".into(),
                    VariantField::Weight => "Weight".into(),
                    VariantField::Barcode => "Barcode".into(),
                    VariantField::Cost => "Cost".into(),
                    VariantField::Stock(w) => format!("Stock in warehouse {}", w + 1),
                };
                format!("{what} of variant {}", i + 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_field_names_read_as_the_form_writes_them() {
        for status in ProductStatus::ALL {
            assert_eq!(ProductStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ProductStatus::parse(" Active "), Some(ProductStatus::Active));
        assert_eq!(ProductStatus::parse("gone"), None);
        assert_eq!(
            ProductField::Variant(3, VariantField::Stock(1)).name(),
            "variants-3-stock-1"
        );
        assert_eq!(ProductField::ImageAlt(0).input_id(), "field-images-0-alt");
        for field in [
            ProductField::Title,
            ProductField::Attribute(2),
            ProductField::OptionName(1),
            ProductField::ImageAlt(4),
            ProductField::Variant(3, VariantField::Stock(1)),
            ProductField::Variant(0, VariantField::CompareAt),
        ] {
            assert_eq!(ProductField::parse(&field.name()), Some(field));
        }
        for junk in [
            "",
            "variants-x-price",
            "variants-1-stock",
            "options-1",
            "title-2",
            "variants-1-price-3",
        ] {
            assert_eq!(ProductField::parse(junk), None, "{junk}");
        }
        assert_eq!(
            ProductField::Variant(2, VariantField::Price).label(),
            "Price of variant 3"
        );
    }
}
