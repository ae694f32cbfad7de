//! Word lists the simulator's generator draws from: people, companies, area codes, call notes
//! and SMS bodies.
//!
//! Kept apart from the generator so that `dataset.rs` reads as logic. Every list is fixed: the
//! data set is a function of the seed and these lists only.

/// Agents' zones, in the order agents get them: small data sets already mix zones west and
/// east of UTC (New York, Los Angeles, Kolkata, Chicago, ...), so DST and day boundaries show.
pub const AGENT_ZONES: &[&str] = &[
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "America/Chicago",
    "Europe/London",
    "America/Denver",
    "Australia/Sydney",
    "America/Phoenix",
];

pub const FIRST_NAMES: &[&str] = &[
    "James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Lucas", "Mia", "Mason",
    "Isabella", "Logan", "Amelia", "Elijah", "Harper", "Aiden", "Evelyn", "Jackson", "Abigail",
    "Priya", "Arjun", "Wei", "Mei", "Carlos", "Lucia", "Omar", "Fatima", "Kenji", "Yuki", "Daniel",
    "Grace", "Samuel", "Chloe", "David", "Zoe", "Anthony", "Nora", "Thomas", "Leah", "Andre",
    "Hannah", "Diego", "Ruth", "Patrick", "Ines", "Victor", "Alice",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Patel",
    "Sharma",
    "Chen",
    "Kim",
    "O'Brien",
    "Murphy",
    "Kowalski",
    "Novak",
];

/// Company names without legal suffix; the generator adds suffixes, branches and capitals.
pub const COMPANIES: &[&str] = &[
    "Acme Roofing",
    "Bright Smile Dental",
    "Northwind Traders",
    "Blue Harbor Realty",
    "Summit HVAC",
    "Greenleaf Landscaping",
    "Pioneer Auto Glass",
    "Cedar Creek Dental",
    "Lakeside Insurance",
    "Metro Plumbing",
    "Sunrise Solar",
    "Evergreen Property Management",
    "Harbor Logistics",
    "Keystone Mortgage",
    "Redwood Legal Group",
    "Silver Oak Clinic",
    "Prairie Pet Care",
    "Atlas Fitness",
    "Coastal Cabinets",
    "Beacon Home Health",
    "Granite Peak Construction",
    "Riverbend Veterinary",
    "Maple Street Bakery",
    "Ironwood Security",
    "Golden State Movers",
];

pub const COMPANY_SUFFIXES: &[&str] = &["LLC", "Inc", "Inc.", "Co", "Group LLC", "Corp"];

pub const BRANCHES: &[&str] = &[
    "Downtown",
    "West Branch",
    "Billing",
    "HQ",
    "North Office",
    "Service Dept",
];

pub const FREE_MAIL: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "icloud.com"];

/// US area codes (real NPAs) for customers' and lines' numbers.
pub const AREA_CODES: &[u16] = &[
    347, 657, 201, 985, 208, 212, 312, 415, 512, 617, 646, 702, 713, 786, 818, 917, 303, 480, 602,
    404, 206, 305, 503, 615, 704, 919, 214, 408, 720, 773,
];

pub const DISPOSITIONS_ANSWERED: &[&str] = &[
    "Interested",
    "Not Interested",
    "Call Back Later",
    "Appointment Booked",
    "Sale Closed",
    "Wrong Number",
    "Support Resolved",
    "Escalated",
];

pub const DISPOSITIONS_UNANSWERED: &[&str] = &["No Answer", "Left Voicemail", "Busy"];

/// Call notes; `{first}` is the contact's first name.
pub const NOTES: &[&str] = &[
    "Spoke with {first}, wants a quote by Friday.",
    "{first} asked about pricing for the annual plan.",
    "Follow up next week re: invoice #{n}.",
    "Customer reported an issue with the last delivery; ticket opened.",
    "Booked an on-site visit for Tuesday morning.",
    "{first} is comparing us with a competitor. Send case studies.",
    "Left details about the promo; call back after 3pm.",
    "Resolved billing question, no further action.",
    "Wants to talk to a manager — escalated.",
    "Renewal confirmed for next year.",
];

pub const VOICEMAILS: &[&str] = &[
    "Hi, this is {first}, please call me back when you get a chance.",
    "Hello, calling about my appointment, can we move it to Thursday? Thanks.",
    "Hi it's {first} from {company}, we got your quote and have a couple of questions.",
    "Hey, just returning your call. Talk soon.",
];

pub const TAGS: &[&str] = &["VIP", "Lead", "Follow-up", "Hot", "Support", "Renewal"];

pub const TRAITS: &[&str] = &["Transferred", "Conference", "Forwarded"];

pub const LINE_NAMES: &[&str] = &["Sales", "Support", "Main Line", "Billing"];

/// Outgoing one-to-one SMS; `{first}` = contact's first name, `{agent}` = agent's first name.
pub const SMS_OUT: &[&str] = &[
    "Hi {first}, this is {agent} from Kanva. Do you have a few minutes to chat today?",
    "Thanks for your time on the phone, {first}! Here is the link we discussed.",
    "Hi {first}, just following up on the quote I sent. Any questions?",
    "Your appointment is confirmed for tomorrow at 10am. Reply C to confirm.",
    "Sorry I missed your call, {first}. When is a good time to call back?",
    "Great news — your order has shipped! 📦",
    "Hi {first}, can you send over a photo of the damage?",
    "Sounds good, talk then.",
    "No problem at all. Have a great weekend!",
    "Hi {first}, it's {agent}. The invoice is attached, let me know if anything looks off.",
];

/// Incoming SMS from a customer.
pub const SMS_IN: &[&str] = &[
    "Yes, now works.",
    "Can you call me after 5?",
    "Thanks! Got it.",
    "C",
    "What's the price for the premium option?",
    "Not interested, please remove me.",
    "👍",
    "Who is this?",
    "Running 10 minutes late, sorry!",
    "Can we reschedule to next week?",
    "STOP",
    "ok",
];

pub const SMS_BULK: &[&str] = &[
    "Kanva Holiday Sale: 20% off all plans until Sunday. Reply STOP to opt out.",
    "Reminder: our office is closed Monday for the holiday. Reply STOP to opt out.",
    "New: book appointments online at any time. Reply STOP to opt out.",
];

pub const SMS_AUTOMATION: &[&str] = &[
    "Reminder: you have an appointment with Kanva tomorrow. Reply C to confirm or R to reschedule.",
    "Thanks for contacting Kanva! An agent will reach out shortly.",
    "How did we do? Rate your experience from 1 to 5.",
    "Your payment was received. Thank you!",
];

pub const MMS_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("application/pdf", "pdf"),
];
