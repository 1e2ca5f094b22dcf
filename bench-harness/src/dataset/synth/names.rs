//! Shared pools of plausible field values for the structured formats.

pub const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Karen", "Wei", "Aisha", "Yuki", "Olga", "Ahmed", "Priya", "Lars",
    "Sofia", "Mateo", "Chloe", "Noah", "Emma", "Liam", "Ava", "Lucas", "Mia",
];
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Chen", "Nguyen", "Kim", "Patel", "Muller", "Rossi", "Silva",
    "Novak", "Kowalski", "Jensen", "Tanaka", "Ivanova",
];
pub const CITIES: &[&str] = &[
    "London", "Paris", "Berlin", "Madrid", "Rome", "New York", "Chicago", "Toronto", "Tokyo",
    "Seoul", "Sydney", "Mumbai", "Sao Paulo", "Mexico City", "Cairo", "Lagos", "Warsaw",
    "Stockholm", "Dublin", "Lisbon", "Amsterdam", "Vienna", "Prague", "Oslo",
];
pub const REGIONS: &[&str] = &["north", "south", "east", "west", "central"];
pub const PRODUCTS: &[&str] = &[
    "widget", "gadget", "sprocket", "bracket", "cable", "adapter", "charger", "sensor",
    "keyboard", "monitor", "lamp", "chair", "desk", "notebook", "pen", "backpack", "bottle",
    "headphones", "speaker", "camera", "router", "drive", "battery", "mouse",
];
pub const COLOURS: &[&str] = &[
    "black", "white", "silver", "red", "blue", "green", "grey", "navy", "orange",
];
pub const STATUSES: &[&str] = &[
    "shipped", "shipped", "shipped", "delivered", "delivered", "pending", "cancelled",
    "returned",
];
pub const EVENTS: &[&str] = &[
    "page_view", "page_view", "page_view", "click", "click", "search", "add_to_cart",
    "checkout", "login", "logout", "signup", "error",
];
pub const PATHS: &[&str] = &[
    "/", "/index.html", "/about", "/contact", "/products", "/products/{id}", "/cart",
    "/checkout", "/api/v1/items", "/api/v1/items/{id}", "/api/v1/users/{id}",
    "/api/v1/orders", "/api/v1/orders/{id}", "/search?q={word}", "/static/css/main.css",
    "/static/js/app.js", "/static/img/logo.png", "/favicon.ico", "/login", "/logout",
    "/blog/{word}", "/blog/{word}/comments", "/robots.txt", "/sitemap.xml",
];
pub const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
];
