//! The demo catalog's words: the category tree with each leaf's nouns, option and price range, the names stores
//! and products are made of, and the seeder's own random numbers.

/// SplitMix64: tiny, fast, and stable across versions (unlike a library RNG whose stream may change).
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub(super) struct Leaf {
    pub(super) slug: &'static str,
    pub(super) name: &'static str,
    pub(super) nouns: &'static [&'static str],
    /// Option name and values that make the variants.
    pub(super) option: (&'static str, &'static [&'static str]),
    /// Price range in cents.
    pub(super) price: (u64, u64),
}

pub(super) const TREE: &[(&str, &str, &[Leaf])] = &[
    (
        "electronics",
        "Electronics",
        &[
            Leaf {
                slug: "headphones",
                name: "Headphones",
                nouns: &["Headphones", "Earbuds", "Headset"],
                option: ("Colour", &["Black", "White", "Blue"]),
                price: (1_999, 34_999),
            },
            Leaf {
                slug: "speakers",
                name: "Speakers",
                nouns: &["Speaker", "Soundbar", "Radio"],
                option: ("Colour", &["Black", "Grey", "Red"]),
                price: (2_499, 49_999),
            },
            Leaf {
                slug: "chargers",
                name: "Chargers & Cables",
                nouns: &["Charger", "Cable", "Power Bank"],
                option: ("Length", &["1 m", "2 m", "3 m"]),
                price: (799, 6_999),
            },
        ],
    ),
    (
        "fashion",
        "Fashion",
        &[
            Leaf {
                slug: "t-shirts",
                name: "T-shirts",
                nouns: &["T-shirt", "Tee", "Polo"],
                option: ("Size", &["S", "M", "L", "XL"]),
                price: (1_299, 4_999),
            },
            Leaf {
                slug: "jackets",
                name: "Jackets",
                nouns: &["Jacket", "Parka", "Windbreaker"],
                option: ("Size", &["S", "M", "L", "XL"]),
                price: (4_999, 24_999),
            },
            Leaf {
                slug: "shoes",
                name: "Shoes",
                nouns: &["Sneakers", "Boots", "Sandals"],
                option: ("Size", &["39", "40", "41", "42", "43", "44"]),
                price: (3_999, 17_999),
            },
        ],
    ),
    (
        "home",
        "Home & Kitchen",
        &[
            Leaf {
                slug: "cookware",
                name: "Cookware",
                nouns: &["Frying Pan", "Saucepan", "Dutch Oven"],
                option: ("Size", &["20 cm", "24 cm", "28 cm"]),
                price: (1_999, 19_999),
            },
            Leaf {
                slug: "mugs",
                name: "Mugs & Cups",
                nouns: &["Mug", "Cup", "Tumbler"],
                option: ("Colour", &["White", "Green", "Blue", "Terracotta"]),
                price: (899, 3_499),
            },
            Leaf {
                slug: "lighting",
                name: "Lighting",
                nouns: &["Desk Lamp", "Floor Lamp", "Pendant Light"],
                option: ("Finish", &["Brass", "Black", "White"]),
                price: (2_999, 29_999),
            },
        ],
    ),
    (
        "outdoors",
        "Sports & Outdoors",
        &[
            Leaf {
                slug: "camping",
                name: "Camping",
                nouns: &["Tent", "Sleeping Bag", "Camp Stove"],
                option: ("Capacity", &["1 person", "2 people", "4 people"]),
                price: (2_999, 39_999),
            },
            Leaf {
                slug: "cycling",
                name: "Cycling",
                nouns: &["Bike Light", "Helmet", "Saddle Bag"],
                option: ("Colour", &["Black", "Yellow", "Orange"]),
                price: (1_499, 12_999),
            },
        ],
    ),
];

pub(super) const ADJECTIVES: &[&str] = &[
    "Classic",
    "Everyday",
    "Compact",
    "Premium",
    "Lightweight",
    "Rugged",
    "Vintage",
    "Modern",
    "Organic",
    "Wireless",
    "Handmade",
    "Travel",
    "Studio",
    "Essential",
    "Deluxe",
    "Eco",
    "Pro",
    "Urban",
    "Nordic",
    "Cosy",
];
pub(super) const BRANDS: &[&str] = &[
    "Arbor", "Lumen", "Kestrel", "Halcyon", "Nimbus", "Ferro", "Juniper", "Orca", "Tundra", "Vela", "Marlow", "Quill",
];
pub(super) const MATERIALS: &[&str] = &[
    "Cotton",
    "Aluminium",
    "Stainless steel",
    "Recycled plastic",
    "Oak",
    "Ceramic",
    "Nylon",
    "Leather",
];
pub(super) const STORE_WORDS: (&[&str], &[&str]) = (
    &[
        "Maple", "Harbor", "Copper", "Willow", "Granite", "Saffron", "Cedar", "Indigo", "Meadow", "Pebble",
    ],
    &["Goods", "Supply", "Trading Co.", "Workshop", "Market", "Studio"],
);
pub(super) const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "NL", "CA"];
