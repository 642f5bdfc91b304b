"""A deterministic generator of large, realistic worlds in the world.md format.

Used for benchmarks, load tests and `dms world generate`: the same seed gives byte-identical
files. It is test data, not domain, so it lives with the evaluations and uses the core only as
any client does (units, money, price precedence). Rows are
streamed to csv writers; only what later files refer to (SKUs, customers, assortments,
prices) is kept in memory, as small tuples.
"""

import bisect
import csv
import itertools
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from core.catalogue import parse_units
from core.pricing import PriceContext, resolve_price
from core.types import money

IST = timezone(timedelta(hours=5, minutes=30))

# --- reference data ----------------------------------------------------------------------
# Units: the first is the base unit (factor 1).
BOX24, BOX12, BOX6 = "PCS=1|BOX=24|CASE=240", "PCS=1|BOX=12|CASE=144", "PCS=1|BOX=6|CASE=72"
PACK6, PACK4, PACK3 = "PCS=1|PACK=6|CARTON=48", "PCS=1|PACK=4|CASE=100", "PCS=1|PACK=3|CASE=72"
CASE4, CASE6, CASE12, CASE24, CASE40 = (
    "PCS=1|CASE=4",
    "PCS=1|CASE=6",
    "PCS=1|CASE=12",
    "PCS=1|CASE=24",
    "PCS=1|CASE=40",
)
KG25, KG30, KG50 = "KG=1|BAG=25", "KG=1|BAG=30", "KG=1|SACK=50"
CRATE24, BTL6, STRIP = "BTL=1|CRATE=24", "BTL=1|CASE=6", "PCS=1|STRIP=16|BOX=320"
DOZEN = "PCS=1|DOZEN=12|CARTON=144"


@dataclass(frozen=True)
class Leaf:
    """A leaf category: what its products are called, how long they keep (None = not
    perishable, FIFO) and the sizes a product comes in: (code, label, units, MRP per base unit)."""

    code: str
    name: str
    shelf_days: int | None
    tax: int
    nouns: tuple[str, ...]
    sizes: tuple[tuple[str, str, str, str], ...]


def _leaf(code, name, shelf, tax, nouns, sizes):
    return Leaf(code, name, shelf, tax, tuple(nouns), tuple(sizes))


TAXONOMY = [
    (
        "FOOD",
        "Foods",
        [
            (
                "SNACKS",
                "Biscuits & Snacks",
                [
                    _leaf(
                        "BISCUITS",
                        "Biscuits",
                        180,
                        18,
                        [
                            "Cream Biscuits",
                            "Marie Biscuits",
                            "Digestive Biscuits",
                            "Butter Cookies",
                            "Salted Crackers",
                            "Glucose Biscuits",
                        ],
                        [
                            ("75G", "75g", BOX24, "10"),
                            ("100G", "100g", BOX12, "20"),
                            ("200G", "200g", BOX6, "40"),
                            ("400G", "400g", CASE24, "75"),
                        ],
                    ),
                    _leaf(
                        "NAMKEEN",
                        "Namkeen",
                        120,
                        12,
                        ["Bhujia", "Mixture", "Moong Dal Namkeen", "Khatta Meetha"],
                        [("40G", "40g", BOX12, "10"), ("200G", "200g", PACK6, "50"), ("1KG", "1kg", CASE12, "220")],
                    ),
                    _leaf(
                        "CHIPS",
                        "Chips",
                        120,
                        12,
                        ["Salted Chips", "Masala Chips", "Cream & Onion Chips", "Banana Chips"],
                        [("30G", "30g", BOX24, "10"), ("90G", "90g", BOX12, "30"), ("150G", "150g", CASE40, "50")],
                    ),
                ],
            ),
            (
                "STAPLES",
                "Staples",
                [
                    _leaf(
                        "ATTA",
                        "Atta & Flours",
                        120,
                        0,
                        ["Whole Wheat Atta", "Chakki Atta", "Multigrain Atta"],
                        [("1KG", "1kg", CASE12, "55"), ("5KG", "5kg", CASE4, "260"), ("LOOSE", "loose", KG25, "46")],
                    ),
                    _leaf(
                        "RICE",
                        "Rice",
                        365,
                        5,
                        ["Sona Masoori Rice", "Basmati Rice", "Ponni Rice", "Idli Rice"],
                        [
                            ("1KG", "1kg", CASE12, "90"),
                            ("5KG", "5kg", CASE4, "430"),
                            ("LOOSE", "loose", KG25, "70"),
                            ("BULK", "bulk", KG50, "64"),
                        ],
                    ),
                    _leaf(
                        "DAL",
                        "Pulses",
                        365,
                        5,
                        ["Toor Dal", "Moong Dal", "Chana Dal", "Urad Dal", "Masoor Dal"],
                        [
                            ("500G", "500g", CASE24, "80"),
                            ("1KG", "1kg", CASE12, "155"),
                            ("LOOSE", "loose", KG30, "140"),
                        ],
                    ),
                    _leaf(
                        "SUGAR",
                        "Sugar & Jaggery",
                        540,
                        5,
                        ["Refined Sugar", "Sulphurless Sugar", "Jaggery Powder"],
                        [("1KG", "1kg", CASE12, "50"), ("LOOSE", "loose", KG50, "44")],
                    ),
                ],
            ),
            (
                "OILS",
                "Edible Oils & Ghee",
                [
                    _leaf(
                        "OIL",
                        "Edible Oil",
                        270,
                        5,
                        ["Sunflower Oil", "Rice Bran Oil", "Groundnut Oil", "Mustard Oil"],
                        [
                            ("1L", "1L pouch", CASE12, "165"),
                            ("5L", "5L can", CASE4, "790"),
                            ("15L", "15L tin", "PCS=1", "2300"),
                        ],
                    ),
                    _leaf(
                        "GHEE",
                        "Ghee",
                        270,
                        12,
                        ["Pure Ghee", "Cow Ghee"],
                        [
                            ("200ML", "200ml", CASE24, "140"),
                            ("500ML", "500ml", CASE12, "330"),
                            ("1L", "1L", CASE6, "640"),
                        ],
                    ),
                ],
            ),
            (
                "INSTANT",
                "Instant Foods",
                [
                    _leaf(
                        "NOODLES",
                        "Instant Noodles",
                        240,
                        12,
                        ["Masala Noodles", "Atta Noodles", "Hakka Noodles"],
                        [("70G", "70g", "PCS=1|BOX=12|CASE=96", "15"), ("280G", "280g 4-pack", CASE24, "56")],
                    ),
                    _leaf(
                        "PASTA",
                        "Pasta",
                        300,
                        12,
                        ["Penne Pasta", "Macaroni", "Fusilli"],
                        [("200G", "200g", CASE24, "45"), ("500G", "500g", CASE12, "99")],
                    ),
                    _leaf(
                        "SOUP",
                        "Soups",
                        300,
                        18,
                        ["Tomato Soup", "Sweet Corn Soup", "Hot & Sour Soup"],
                        [("SACHET", "sachet", STRIP, "10"), ("4SRV", "4-serve pack", PACK6, "60")],
                    ),
                ],
            ),
            (
                "SPICES",
                "Spices & Condiments",
                [
                    _leaf(
                        "MASALA",
                        "Masala",
                        365,
                        5,
                        ["Garam Masala", "Chilli Powder", "Turmeric Powder", "Sambar Powder"],
                        [
                            ("50G", "50g", "PCS=1|BOX=10|CASE=200", "30"),
                            ("100G", "100g", BOX12, "55"),
                            ("500G", "500g", CASE24, "240"),
                        ],
                    ),
                    _leaf(
                        "SALT",
                        "Salt",
                        730,
                        0,
                        ["Iodised Salt", "Rock Salt"],
                        [("1KG", "1kg", "PCS=1|BALE=25", "28"), ("LOOSE", "loose", KG50, "12")],
                    ),
                    _leaf(
                        "SAUCES",
                        "Sauces & Pickles",
                        365,
                        12,
                        ["Tomato Ketchup", "Chilli Sauce", "Mango Pickle"],
                        [("200G", "200g", CASE24, "60"), ("1KG", "1kg", CASE12, "180")],
                    ),
                ],
            ),
        ],
    ),
    (
        "BEVERAGES",
        "Beverages",
        [
            (
                "HOTBEV",
                "Hot Beverages",
                [
                    _leaf(
                        "TEA",
                        "Tea",
                        365,
                        5,
                        ["Premium Tea", "Dust Tea", "Green Tea", "Masala Tea"],
                        [("100G", "100g", BOX12, "60"), ("250G", "250g", CASE40, "140"), ("1KG", "1kg", CASE12, "520")],
                    ),
                    _leaf(
                        "COFFEE",
                        "Coffee",
                        365,
                        18,
                        ["Filter Coffee", "Instant Coffee"],
                        [("50G", "50g", BOX12, "110"), ("200G", "200g", CASE24, "390")],
                    ),
                ],
            ),
            (
                "COLDBEV",
                "Cold Beverages",
                [
                    _leaf(
                        "JUICE",
                        "Juices",
                        180,
                        12,
                        ["Mango Drink", "Mixed Fruit Juice", "Orange Juice", "Guava Juice"],
                        [("200ML", "200ml tetra", PACK6, "20"), ("1L", "1L", CASE12, "110")],
                    ),
                    _leaf(
                        "SOFTDRINK",
                        "Soft Drinks",
                        180,
                        18,
                        ["Cola", "Lemon Soda", "Orange Fizz"],
                        [
                            ("250ML", "250ml", CRATE24, "20"),
                            ("600ML", "600ml", CRATE24, "40"),
                            ("2L", "2L", BTL6, "95"),
                        ],
                    ),
                    _leaf(
                        "WATER",
                        "Packaged Water",
                        365,
                        18,
                        ["Packaged Drinking Water", "Mineral Water"],
                        [("500ML", "500ml", CRATE24, "10"), ("1L", "1L", "BTL=1|CASE=12", "20")],
                    ),
                ],
            ),
            (
                "HEALTHBEV",
                "Health Drinks",
                [
                    _leaf(
                        "MALT",
                        "Malt Drinks",
                        365,
                        18,
                        ["Malt Drink", "Chocolate Health Drink"],
                        [("200G", "200g refill", CASE24, "120"), ("500G", "500g jar", CASE12, "280")],
                    ),
                ],
            ),
        ],
    ),
    (
        "DAIRY",
        "Dairy",
        [
            (
                "MILKPROD",
                "Milk Products",
                [
                    _leaf(
                        "UHTMILK",
                        "UHT Milk",
                        90,
                        5,
                        ["Toned Milk", "Full Cream Milk", "Flavoured Milk"],
                        [("200ML", "200ml", PACK6, "25"), ("1L", "1L", CASE12, "72")],
                    ),
                    _leaf(
                        "BUTTER",
                        "Butter",
                        120,
                        12,
                        ["Salted Butter", "Unsalted Butter"],
                        [("100G", "100g", CASE40, "58"), ("500G", "500g", CASE12, "275")],
                    ),
                    _leaf(
                        "CHEESE",
                        "Cheese",
                        150,
                        12,
                        ["Cheese Slices", "Cheese Spread", "Processed Cheese"],
                        [("200G", "200g", CASE24, "140"), ("400G", "400g", CASE12, "260")],
                    ),
                ],
            ),
        ],
    ),
    (
        "PERSONAL",
        "Personal Care",
        [
            (
                "BATH",
                "Bath & Body",
                [
                    _leaf(
                        "SOAP",
                        "Bath Soap",
                        730,
                        18,
                        ["Neem Soap", "Sandal Soap", "Glycerine Soap", "Lime Soap"],
                        [
                            ("75G", "75g", "PCS=1|PACK=4|CASE=144", "25"),
                            ("100G", "100g", PACK3, "35"),
                            ("125G", "125g", "PCS=1|CASE=72", "48"),
                        ],
                    ),
                    _leaf(
                        "BODYWASH",
                        "Body Wash",
                        730,
                        18,
                        ["Shower Gel", "Body Wash"],
                        [("250ML", "250ml", CASE24, "180")],
                    ),
                ],
            ),
            (
                "HAIR",
                "Hair Care",
                [
                    _leaf(
                        "SHAMPOO",
                        "Shampoo",
                        730,
                        18,
                        ["Anti-Dandruff Shampoo", "Herbal Shampoo", "Smooth Shampoo"],
                        [
                            ("SACHET", "8ml sachet", STRIP, "2"),
                            ("180ML", "180ml", "PCS=1|CASE=48", "160"),
                            ("340ML", "340ml", CASE24, "290"),
                        ],
                    ),
                    _leaf(
                        "HAIROIL",
                        "Hair Oil",
                        730,
                        18,
                        ["Coconut Hair Oil", "Amla Hair Oil", "Almond Hair Oil"],
                        [("100ML", "100ml", "PCS=1|CASE=48", "60"), ("300ML", "300ml", CASE24, "165")],
                    ),
                ],
            ),
            (
                "ORAL",
                "Oral Care",
                [
                    _leaf(
                        "TOOTHPASTE",
                        "Toothpaste",
                        730,
                        18,
                        ["Fluoride Toothpaste", "Herbal Toothpaste", "Gel Toothpaste"],
                        [("100G", "100g", "PCS=1|CASE=48", "55"), ("150G", "150g", CASE24, "85")],
                    ),
                    _leaf(
                        "TOOTHBRUSH",
                        "Toothbrush",
                        None,
                        18,
                        ["Soft Toothbrush", "Medium Toothbrush"],
                        [("SINGLE", "single", PACK6, "30"), ("4PK", "pack of 4", "PCS=1|CASE=36", "99")],
                    ),
                ],
            ),
        ],
    ),
    (
        "HOME",
        "Home Care",
        [
            (
                "LAUNDRY",
                "Laundry",
                [
                    _leaf(
                        "DETPOWDER",
                        "Detergent Powder",
                        None,
                        18,
                        ["Detergent Powder", "Matic Detergent Powder"],
                        [
                            ("500G", "500g", CASE40, "58"),
                            ("1KG", "1kg", "PCS=1|CASE=20", "110"),
                            ("4KG", "4kg", CASE4, "420"),
                        ],
                    ),
                    _leaf(
                        "DETBAR",
                        "Detergent Bar",
                        None,
                        18,
                        ["Detergent Bar", "Blue Detergent Bar"],
                        [("150G", "150g", PACK4, "14"), ("250G", "250g", "PCS=1|CASE=60", "22")],
                    ),
                    _leaf(
                        "DETLIQUID",
                        "Liquid Detergent",
                        None,
                        18,
                        ["Liquid Detergent", "Fabric Conditioner"],
                        [("500ML", "500ml", CASE24, "120"), ("2L", "2L", CASE6, "420")],
                    ),
                ],
            ),
            (
                "CLEANING",
                "Surface Care",
                [
                    _leaf(
                        "FLOOR",
                        "Floor Cleaner",
                        None,
                        18,
                        ["Floor Cleaner", "Disinfectant"],
                        [("500ML", "500ml", CASE24, "99"), ("1L", "1L", CASE12, "185")],
                    ),
                    _leaf(
                        "DISHWASH",
                        "Dishwash",
                        None,
                        18,
                        ["Dishwash Bar", "Dishwash Gel"],
                        [("200G", "200g", PACK3, "20"), ("750ML", "750ml", CASE12, "160")],
                    ),
                ],
            ),
            (
                "PEST",
                "Pest Control",
                [
                    _leaf(
                        "REPELLENT",
                        "Repellents",
                        None,
                        18,
                        ["Mosquito Coil", "Vaporiser Refill"],
                        [("10PC", "pack of 10", "PCS=1|CASE=60", "35"), ("REFILL", "refill", DOZEN, "75")],
                    ),
                ],
            ),
        ],
    ),
    (
        "GENERAL",
        "General Merchandise",
        [
            (
                "ELECTRICALS",
                "Electricals",
                [
                    _leaf(
                        "BATTERY",
                        "Batteries",
                        None,
                        18,
                        ["AA Batteries", "AAA Batteries"],
                        [("2PK", "pack of 2", "PCS=1|STRIP=10|BOX=100", "40"), ("4PK", "pack of 4", CASE24, "78")],
                    ),
                    _leaf(
                        "BULB",
                        "Lighting",
                        None,
                        12,
                        ["LED Bulb", "LED Batten"],
                        [("9W", "9W", "PCS=1|CASE=50", "99"), ("20W", "20W", "PCS=1|CASE=20", "249")],
                    ),
                ],
            ),
            (
                "PAPER",
                "Paper Goods",
                [
                    _leaf(
                        "TISSUE",
                        "Tissues",
                        None,
                        18,
                        ["Facial Tissue", "Kitchen Towel", "Toilet Roll"],
                        [("1PC", "single", CASE24, "60"), ("4PK", "pack of 4", CASE6, "220")],
                    ),
                    _leaf(
                        "NOTEBOOK",
                        "Notebooks",
                        None,
                        12,
                        ["Ruled Notebook", "Long Notebook"],
                        [("SINGLE", "single", DOZEN, "45")],
                    ),
                ],
            ),
        ],
    ),
]

BRAND_HEADS = [
    "Kaveri",
    "Sun",
    "Gold",
    "Royal",
    "Amrit",
    "Shree",
    "Green",
    "Nava",
    "Ganga",
    "Himal",
    "Sagar",
    "Surya",
    "Chandra",
    "Kesar",
    "Neel",
    "Tulsi",
    "Moti",
    "Vasant",
    "Deccan",
    "Malabar",
    "Indra",
    "Pavan",
    "Lotus",
    "Star",
    "Tara",
    "Vijay",
    "Anand",
    "Kiran",
    "Megha",
    "Shakti",
    "Prabhat",
    "Swad",
    "Ruchi",
    "Ujala",
    "Sona",
    "Heera",
    "Mayur",
    "Nila",
    "Pragati",
    "Utsav",
]
BRAND_TAILS = ["leaf", "drop", "field", "bloom", "crest", "veda", "kart", "wave", "line", "rise", "mark", "pure"]
SUB_BRANDS = ["Gold", "Premium", "Lite", "Kids", "Fresh", "Active", "Classic", "Select"]
VARIANTS = ["Classic", "Premium", "Special", "Everyday", "Family", "Gold", "Lite", "Royal", "Super", "Natural"]

STATES = [
    (
        "KA",
        "Karnataka",
        "BLR Bengaluru|MYS Mysuru|HBL Hubballi|MNG Mangaluru|BGM Belagavi|DVG Davanagere|SMG Shivamogga|TMK Tumakuru",
    ),
    (
        "TN",
        "Tamil Nadu",
        "CHN Chennai|CBE Coimbatore|MDU Madurai|TRY Tiruchirappalli|SLM Salem|TEN Tirunelveli|VLR Vellore|ERD Erode",
    ),
    (
        "KL",
        "Kerala",
        "TVM Thiruvananthapuram|COK Kochi|CCJ Kozhikode|TCR Thrissur|KLM Kollam|KNR Kannur|PKD Palakkad|ALP Alappuzha",
    ),
    (
        "AP",
        "Andhra Pradesh",
        "VSP Visakhapatnam|VJA Vijayawada|GNT Guntur|NLR Nellore|TPT Tirupati|KNL Kurnool|RJY Rajahmundry|KKD Kakinada",
    ),
    (
        "TG",
        "Telangana",
        "HYD Hyderabad|WGL Warangal|NZB Nizamabad|KRM Karimnagar|KHM Khammam|MBN Mahbubnagar|NLG Nalgonda|SDP Siddipet",
    ),
    (
        "MH",
        "Maharashtra",
        "BOM Mumbai|PNQ Pune|NAG Nagpur|NSK Nashik|AUR Aurangabad|SLP Solapur|KOP Kolhapur|THN Thane",
    ),
    (
        "GJ",
        "Gujarat",
        "AMD Ahmedabad|STV Surat|BDQ Vadodara|RJT Rajkot|BHV Bhavnagar|JAM Jamnagar|GNR Gandhinagar|JND Junagadh",
    ),
    ("RJ", "Rajasthan", "JAI Jaipur|JDH Jodhpur|UDR Udaipur|KTA Kota|AJM Ajmer|BKN Bikaner|ALW Alwar|BHL Bhilwara"),
    (
        "UP",
        "Uttar Pradesh",
        "LKO Lucknow|KNU Kanpur|AGR Agra|VNS Varanasi|PRG Prayagraj|GZB Ghaziabad|NOI Noida|MRT Meerut",
    ),
    (
        "WB",
        "West Bengal",
        "CCU Kolkata|HWH Howrah|DGP Durgapur|ASN Asansol|SLG Siliguri|KGP Kharagpur|BDN Bardhaman|HLD Haldia",
    ),
    ("MP", "Madhya Pradesh", "IDR Indore|BPL Bhopal|JLR Jabalpur|GWL Gwalior|UJN Ujjain|SGR Sagar|RWA Rewa|STN Satna"),
    (
        "DL",
        "Delhi",
        "NDL New Delhi|DLN North Delhi|DLS South Delhi|DLE East Delhi|DLW West Delhi|DWK Dwarka|"
        "RHN Rohini|SHD Shahdara",
    ),
]
AREAS = [
    ("C", "Central"),
    ("N", "North"),
    ("S", "South"),
    ("E", "East"),
    ("W", "West"),
    ("OLD", "Old Town"),
    ("IND", "Industrial Area"),
    ("MKT", "Market Road"),
]
FIRST = [
    "Asha",
    "Kiran",
    "Ravi",
    "Priya",
    "Suresh",
    "Lakshmi",
    "Anand",
    "Meena",
    "Ganesh",
    "Deepa",
    "Arjun",
    "Kavya",
    "Vikram",
    "Sneha",
    "Rahul",
    "Divya",
    "Manoj",
    "Pooja",
    "Sanjay",
    "Farhan",
    "Imran",
    "Ayesha",
    "Joseph",
    "Mary",
    "Harpreet",
    "Rohit",
    "Neha",
    "Aditya",
    "Bhavna",
    "Chetan",
    "Gopal",
    "Hema",
    "Jyoti",
    "Latha",
    "Mohan",
    "Nandini",
    "Prakash",
    "Rekha",
    "Sunil",
    "Tara",
    "Uma",
    "Venkat",
    "Yusuf",
    "Zoya",
]
LAST = [
    "Rao",
    "Shetty",
    "Kumar",
    "Nair",
    "Gowda",
    "Iyer",
    "Reddy",
    "Sharma",
    "Patel",
    "Singh",
    "Das",
    "Menon",
    "Pillai",
    "Joshi",
    "Khan",
    "Fernandes",
    "Naidu",
    "Gupta",
    "Verma",
    "Mehta",
    "Bose",
    "Kulkarni",
    "Hegde",
]
SHOP_HEADS = [
    "Anand",
    "Sri Lakshmi",
    "Ganesh",
    "Murugan",
    "New Star",
    "Lucky",
    "Balaji",
    "Sai",
    "Krishna",
    "Jai Hind",
    "Royal",
    "Green Valley",
    "Om Sai",
    "Annapurna",
    "Mahalakshmi",
    "Venkateshwara",
    "City",
    "Metro",
    "Family",
    "Daily Needs",
    "Sagar",
    "Bharat",
    "Shree Ram",
    "Friends",
    "Navarang",
]
SHOP_TAILS = {
    "distributor": ["Distributors", "Enterprises", "Distribution Pvt Ltd", "Marketing"],
    "wholesaler": ["Wholesale Traders", "Traders", "Agencies", "Trading Co."],
    "modern_trade": ["Supermarket", "Hypermart", "Fresh Mart", "Retail"],
    "retailer": ["Kirana Store", "Provisions", "General Store", "Stores", "Mini Mart", "Departmental Store"],
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]

# City centres (decimal degrees, approximate) and where a city's areas lie from it (km north, km east).
CITY_CENTRES = {
    "BLR": (12.9716, 77.5946),
    "MYS": (12.2958, 76.6394),
    "HBL": (15.3647, 75.1240),
    "MNG": (12.9141, 74.8560),
    "BGM": (15.8497, 74.4977),
    "DVG": (14.4644, 75.9218),
    "SMG": (13.9299, 75.5681),
    "TMK": (13.3379, 77.1173),
    "CHN": (13.0827, 80.2707),
    "CBE": (11.0168, 76.9558),
    "MDU": (9.9252, 78.1198),
    "TRY": (10.7905, 78.7047),
    "SLM": (11.6643, 78.1460),
    "TEN": (8.7139, 77.7567),
    "VLR": (12.9165, 79.1325),
    "ERD": (11.3410, 77.7172),
    "TVM": (8.5241, 76.9366),
    "COK": (9.9312, 76.2673),
    "CCJ": (11.2588, 75.7804),
    "TCR": (10.5276, 76.2144),
    "KLM": (8.8932, 76.6141),
    "KNR": (11.8745, 75.3704),
    "PKD": (10.7867, 76.6548),
    "ALP": (9.4981, 76.3388),
    "VSP": (17.6868, 83.2185),
    "VJA": (16.5062, 80.6480),
    "GNT": (16.3067, 80.4365),
    "NLR": (14.4426, 79.9865),
    "TPT": (13.6288, 79.4192),
    "KNL": (15.8281, 78.0373),
    "RJY": (17.0005, 81.8040),
    "KKD": (16.9891, 82.2475),
    "HYD": (17.3850, 78.4867),
    "WGL": (17.9689, 79.5941),
    "NZB": (18.6725, 78.0941),
    "KRM": (18.4386, 79.1288),
    "KHM": (17.2473, 80.1514),
    "MBN": (16.7488, 78.0035),
    "NLG": (17.0575, 79.2671),
    "SDP": (18.1018, 78.8520),
    "BOM": (19.0760, 72.8777),
    "PNQ": (18.5204, 73.8567),
    "NAG": (21.1458, 79.0882),
    "NSK": (19.9975, 73.7898),
    "AUR": (19.8762, 75.3433),
    "SLP": (17.6599, 75.9064),
    "KOP": (16.7050, 74.2433),
    "THN": (19.2183, 72.9781),
    "AMD": (23.0225, 72.5714),
    "STV": (21.1702, 72.8311),
    "BDQ": (22.3072, 73.1812),
    "RJT": (22.3039, 70.8022),
    "BHV": (21.7645, 72.1519),
    "JAM": (22.4707, 70.0577),
    "GNR": (23.2156, 72.6369),
    "JND": (21.5222, 70.4579),
    "JAI": (26.9124, 75.7873),
    "JDH": (26.2389, 73.0243),
    "UDR": (24.5854, 73.7125),
    "KTA": (25.2138, 75.8648),
    "AJM": (26.4499, 74.6399),
    "BKN": (28.0229, 73.3119),
    "ALW": (27.5530, 76.6346),
    "BHL": (25.3407, 74.6313),
    "LKO": (26.8467, 80.9462),
    "KNU": (26.4499, 80.3319),
    "AGR": (27.1767, 78.0081),
    "VNS": (25.3176, 82.9739),
    "PRG": (25.4358, 81.8463),
    "GZB": (28.6692, 77.4538),
    "NOI": (28.5355, 77.3910),
    "MRT": (28.9845, 77.7064),
    "CCU": (22.5726, 88.3639),
    "HWH": (22.5958, 88.2636),
    "DGP": (23.5204, 87.3119),
    "ASN": (23.6739, 86.9524),
    "SLG": (26.7271, 88.3953),
    "KGP": (22.3460, 87.2320),
    "BDN": (23.2324, 87.8615),
    "HLD": (22.0667, 88.0698),
    "IDR": (22.7196, 75.8577),
    "BPL": (23.2599, 77.4126),
    "JLR": (23.1815, 79.9864),
    "GWL": (26.2183, 78.1828),
    "UJN": (23.1765, 75.7885),
    "SGR": (23.8388, 78.7378),
    "RWA": (24.5362, 81.3037),
    "STN": (24.6005, 80.8322),
    "NDL": (28.6139, 77.2090),
    "DLN": (28.6800, 77.2100),
    "DLS": (28.5300, 77.2200),
    "DLE": (28.6200, 77.2900),
    "DLW": (28.6500, 77.1000),
    "DWK": (28.5921, 77.0460),
    "RHN": (28.7495, 77.0565),
    "SHD": (28.6730, 77.2890),
}
AREA_OFFSETS_KM = {
    "C": (0, 0),
    "N": (4, 0),
    "S": (-4, 0),
    "E": (0, 4),
    "W": (0, -4),
    "OLD": (1.5, -1.5),
    "IND": (-3, 5),
    "MKT": (2, 2),
}
# rules.md's no-order reasons, weighted as reps give them, with what a rep might note.
NO_ORDER = [
    ("stock_sufficient", 38, "has stock from the last order"),
    ("owner_absent", 16, "come back tomorrow"),
    ("shop_closed", 10, "shutter down"),
    ("credit_issue", 11, "clear the old bill first"),
    ("price_issue", 9, "wants a better rate"),
    ("competitor", 7, "other brand gives more margin"),
    ("other", 9, "festival rush, no time"),
]
NO_ORDER_CUM = list(itertools.accumulate(w for _, w, _ in NO_ORDER))

HEADERS = {
    "brands": ["code", "name", "parent"],
    "categories": ["code", "name", "parent"],
    "products": ["code", "name", "brand", "category"],
    "skus": [
        "code",
        "product",
        "name",
        "units",
        "tax_rate",
        "mrp",
        "allocation",
        "reorder_level",
        "aliases",
        "barcode",
    ],
    "regions": ["code", "name", "parent", "level"],
    "warehouses": ["code", "name", "region", "owner"],
    "customers": [
        "code",
        "name",
        "type",
        "region",
        "distributor",
        "warehouse",
        "credit_limit",
        "payment_terms_days",
        "opening_balance",
        "phone",
        "status",
        "contact_person",
        "latitude",
        "longitude",
        "class",
    ],
    "users": ["id", "name", "role", "customer", "regions", "reports_to", "slack_id", "telegram_id", "email"],
    "prices": ["sku", "price", "customer_type", "region", "customer", "valid_from", "valid_to"],
    "schemes": [
        "code",
        "name",
        "kind",
        "sku",
        "product",
        "brand",
        "category",
        "customer_type",
        "region",
        "min_qty",
        "unit",
        "min_value",
        "discount_pct",
        "discount_flat",
        "free_sku",
        "free_qty",
        "free_unit",
        "recursive",
        "valid_from",
        "valid_to",
        "priority",
        "stackable",
    ],
    "stock": ["warehouse", "sku", "batch", "qty", "mfg_date", "expiry_date", "received_on", "status"],
    "approval_rules": ["code", "when", "threshold", "approver_role", "escalate_after_hours", "escalate_to_role"],
    "beats": ["code", "name", "sales_rep", "weekday", "customers"],
    "orders": ["order_no", "customer", "warehouse", "created_at", "status", "created_by"],
    "order_lines": ["order_no", "sku", "qty", "unit_price", "discount", "free_qty"],
    "payments": ["customer", "amount", "paid_on", "method", "reference"],
    "targets": ["month", "user", "customer", "target"],
    "attendance": ["user", "check_in", "check_out", "latitude", "longitude"],
    "visits": [
        "id",
        "user",
        "customer",
        "started_at",
        "ended_at",
        "outcome",
        "reason",
        "order_no",
        "latitude",
        "longitude",
        "notes",
    ],
}


# --- in-memory shapes ----------------------------------------------------------------------


@dataclass(slots=True)
class SkuInfo:
    code: str
    product: str
    brand: str
    leaf: Leaf
    units: list[tuple[str, int]]
    mrp: Decimal


@dataclass(slots=True)
class Cust:
    code: str
    type: str
    region: str  # an area, or a city for distributors
    city: int  # index into GenerationState.cities
    status: str
    user: str | None = None
    distributor: str | None = None
    lat: float = 0.0  # where the outlet is
    lon: float = 0.0
    contact: str | None = None


@dataclass
class GenerationState:
    """What later files need to know of earlier ones."""

    skus: list[SkuInfo] = field(default_factory=list)
    cities: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, state code)
    areas: dict[str, list[str]] = field(default_factory=dict)  # city code -> area codes
    customers: list[Cust] = field(default_factory=list)
    reps: dict[str, str] = field(default_factory=dict)  # area code -> sales rep covering it
    city_reps: dict[str, list[str]] = field(default_factory=dict)
    assortment: list[list[int]] = field(default_factory=list)  # per city/warehouse: SKU indices
    core: list[int] = field(default_factory=list)  # SKUs every warehouse carries
    prices: list[list[tuple]] = field(default_factory=list)  # per SKU: (scope, key, price, from, to)
    history_schemes: dict[int, list[tuple]] = field(default_factory=dict)  # SKU -> scheme terms used in history
    customer_rows: list[tuple] = field(default_factory=list)  # written last, with each one's class by its sales
    by_code: dict[str, Cust] = field(default_factory=dict)
    rep_regions: dict[str, list[str]] = field(default_factory=dict)  # sales rep -> the regions of users.csv
    beats: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # rep -> weekday no. -> customers in order
    beat_of: dict[str, tuple[str, int]] = field(default_factory=dict)  # customer -> (rep, weekday no.)
    sales: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (customer, YYYY-MM) -> net sales


class Files:
    """One csv writer per file, counting rows."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.counts: dict[str, int] = {}

    @contextmanager
    def open(self, name: str):
        """A function writing one row (None = empty cell) to `name`.csv."""
        self.counts[name] = 0
        with open(self.directory / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADERS[name])

            def row(values) -> None:
                w.writerow(["" if v is None else v for v in values])
                self.counts[name] += 1

            yield row

    def write(self, name: str, rows) -> None:
        with self.open(name) as row:
            for r in rows:
                row(r)


def _s(d: date | None) -> str:
    return d.isoformat() if d else ""


def _b(v: bool) -> str:
    return "true" if v else "false"


def ean13(n: int) -> str:
    body = f"890{n:09d}"
    check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
    return body + str(check)


# --- generator ------------------------------------------------------------------------------


def generate_world(
    directory: Path,
    *,
    skus: int,
    customers: int,
    history_lines: int,
    seed: int,
    start: date = date(2026, 1, 1),
    today: date = date(2026, 11, 20),
) -> dict[str, int]:
    """Write a valid world of `skus` SKUs, `customers` customers and about `history_lines`
    order lines into `directory`; returns the rows written per file."""
    if skus < 10 or customers < 10:
        raise ValueError("a generated world needs at least 10 SKUs and 10 customers")
    if history_lines < 0 or start >= today:
        raise ValueError("history_lines must be >= 0 and start before today")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files, world = Files(directory), GenerationState()
    _catalogue(rng, files, world, skus)
    _parties(rng, files, world, customers)
    _places(random.Random(f"{seed}:places"), world)  # its own generator: the files before keep their bytes
    _assortment(rng, world)
    _prices(rng, files, world, start, today)
    _schemes(rng, files, world, start, today)
    files.write(
        "approval_rules",
        [
            ("AR-BIG", "order_total_over", "100000.00", "manager", 24, "admin"),
            ("AR-HUGE", "order_total_over", "500000.00", "admin", None, None),
            ("AR-CREDIT", "credit_limit_exceeded", None, "manager", 24, "admin"),
            ("AR-DISC", "discount_over_pct", "15", "manager", 48, "admin"),
            ("AR-NEW", "customer_pending", None, "admin", None, None),
        ],
    )
    _beats(files, world)
    plan = FieldPlan(world, seed, start, today, _field_weeks(customers))
    demand = _history(rng, files, world, history_lines, start, today, plan)
    _stock(rng, files, world, demand, today)
    _customers(files, world)
    _targets(random.Random(f"{seed}:targets"), files, world, start, today)
    _field(files, world, plan)
    return dict(sorted(files.counts.items()))


def _catalogue(rng: random.Random, files: Files, world: GenerationState, n_skus: int) -> None:
    cats: list[tuple[str, str, str | None]] = []
    leaves_by_top: dict[str, list[Leaf]] = {}
    for top, top_name, mids in TAXONOMY:
        cats.append((top, top_name, None))
        for mid, mid_name, leaves in mids:
            cats.append((mid, mid_name, top))
            for leaf in leaves:
                cats.append((leaf.code, leaf.name, mid))
                leaves_by_top.setdefault(top, []).append(leaf)
    files.write("categories", cats)
    # Alternate perishable and non-perishable domains, so even a small world has FEFO and FIFO SKUs.
    tops = ["FOOD", "HOME", "BEVERAGES", "PERSONAL", "DAIRY", "GENERAL"]
    assert sorted(tops) == sorted(leaves_by_top)

    # Brand families: a head brand focused on one or two top categories, with sub-brands.
    n_products_est = max(4, n_skus * 10 // 25)
    n_families = max(3, min(len(BRAND_HEADS) * len(BRAND_TAILS), n_products_est // 50))
    names = [h + t for h in BRAND_HEADS for t in ([""] + BRAND_TAILS)]
    names = [names[i] for i in rng.sample(range(len(names)), n_families)]
    brands: list[tuple[str, str, str | None]] = []
    families: list[tuple[list[tuple[str, str]], list[str]]] = []
    for i, name in enumerate(names):
        code = name.upper()
        domain = [tops[i % len(tops)]] + ([rng.choice(tops)] if rng.random() < 0.4 else [])
        nodes = [(code, name)]
        brands.append((code, name, None))
        for sub in rng.sample(SUB_BRANDS, rng.randint(0, 3)):
            brands.append((f"{code}-{sub.upper()}", f"{name} {sub}", code))
            nodes.append((f"{code}-{sub.upper()}", f"{name} {sub}"))
        families.append((nodes, domain))
    files.write("brands", brands)

    products: list[tuple] = []
    sku_rows: list[tuple] = []
    while len(world.skus) < n_skus:
        nodes, domain = families[len(products) % len(families)]
        leaf = rng.choice(leaves_by_top[rng.choice(domain)])
        bcode, bname = rng.choice(nodes)
        noun, variant = rng.choice(leaf.nouns), rng.choice(VARIANTS)
        pcode = f"{leaf.code}-{len(products) + 1:05d}"
        pname = f"{bname} {variant} {noun}"
        products.append((pcode, pname, bcode, leaf.code))
        factor = Decimal(rng.choice(["0.85", "0.9", "1", "1", "1.1", "1.25"]))
        k = len(leaf.sizes) if rng.random() < 0.5 else rng.randint(1, len(leaf.sizes))
        first = rng.randint(0, len(leaf.sizes) - k)
        for scode, label, units, mrp in leaf.sizes[first : first + k]:
            if len(world.skus) >= n_skus:
                break
            n = len(world.skus) + 1
            parsed = parse_units(units)
            price = money(Decimal(mrp) * factor)
            code = f"{pcode}-{scode}"
            reorder = parsed[1][1] * rng.randint(1, 4) if len(parsed) > 1 else rng.randint(2, 20)
            aliases = f"{noun.lower()} {label}|{bname.split()[0].lower()} {noun.split()[0].lower()} {label}"
            sku_rows.append(
                (
                    code,
                    pcode,
                    f"{pname} {label}",
                    units,
                    leaf.tax,
                    price,
                    "FEFO" if leaf.shelf_days else "FIFO",
                    reorder,
                    aliases,
                    ean13(n),
                )
            )
            world.skus.append(SkuInfo(code, pcode, bcode, leaf, parsed, price))
    files.write("products", products)
    files.write("skus", sku_rows)


def _parties(rng: random.Random, files: Files, world: GenerationState, n_customers: int) -> None:
    by_state = [(s, n, [c.split(" ", 1) for c in cities.split("|")]) for s, n, cities in STATES]
    interleaved = [(code, name, s) for i in range(8) for s, _, cities in by_state for code, name in cities[i : i + 1]]
    n_cities = max(2, min(len(interleaved), n_customers // 500))
    world.cities = interleaved[:n_cities]
    # The first city of a state is its big one: three times the customers.
    weights = [3 if i < len(STATES) else 1 for i in range(n_cities)]
    cum = [sum(weights[: i + 1]) for i in range(n_cities)]
    per_city = [n_customers * w / cum[-1] for w in weights]

    regions: list[tuple[str, str, str | None, str]] = [("IN", "India", None, "country")]
    for s, sname, _ in by_state:
        chosen = [(i, c) for i, c in enumerate(world.cities) if c[2] == s]
        if not chosen:
            continue
        regions.append((s, sname, "IN", "state"))
        for i, (code, name, _) in chosen:
            regions.append((code, name, s, "city"))
            areas = AREAS[: max(2, min(len(AREAS), int(per_city[i] // 120)))]
            world.areas[code] = [f"{code}-{a}" for a, _ in areas]
            regions.extend((f"{code}-{a}", f"{name} {an}", code, "area") for a, an in areas)
    files.write("regions", regions)

    # Distributors: one per city at least, more where there are more customers.
    n_dist = min(max(n_cities, n_customers // 100), n_customers // 2)
    dist_city = list(range(n_cities)) + [
        bisect.bisect_right(cum, rng.random() * cum[-1]) for _ in range(n_dist - n_cities)
    ]
    dist_city.sort()
    city_dists: list[list[str]] = [[] for _ in range(n_cities)]
    custs = world.customers
    for i, ci in enumerate(dist_city):
        code = f"D-{i + 1:04d}"
        city_dists[ci].append(code)
        custs.append(Cust(code, "distributor", world.cities[ci][0], ci, "active"))
    counters = {"wholesaler": 0, "modern_trade": 0, "retailer": 0}
    prefix = {"wholesaler": "W", "modern_trade": "M", "retailer": "R"}
    forced = [("retailer", "pending"), ("retailer", "blocked"), ("wholesaler", "active"), ("modern_trade", "active")]
    for i in range(n_customers - n_dist):
        if i < len(forced):
            ctype, status = forced[i]
        else:
            r = rng.random()
            ctype = "wholesaler" if r < 0.08 else "modern_trade" if r < 0.12 else "retailer"
            r = rng.random()
            status = "pending" if r < 0.03 else "blocked" if r < 0.05 else "active"
        counters[ctype] += 1
        ci = bisect.bisect_right(cum, rng.random() * cum[-1])
        area = rng.choice(world.areas[world.cities[ci][0]])
        custs.append(Cust(f"{prefix[ctype]}-{counters[ctype]:06d}", ctype, area, ci, status))

    def customer_rows():
        for i, c in enumerate(custs):
            city = world.cities[c.city][0]
            name = f"{rng.choice(SHOP_HEADS)} {rng.choice(SHOP_TAILS[c.type])}"
            limit: Decimal | None
            if c.type == "distributor":
                limit, terms = Decimal(rng.randint(6, 20) * 50000), 30
            elif c.type == "wholesaler":
                limit, terms = Decimal(rng.randint(4, 12) * 25000), rng.choice([21, 30])
            elif c.type == "modern_trade":
                limit = None if rng.random() < 0.3 else Decimal(rng.randint(3, 10) * 50000)
                terms = rng.choice([30, 45])
            else:
                limit, terms = Decimal(rng.randint(1, 10) * 5000), rng.choice([0, 7, 7, 15, 15])
            opening = Decimal(0)
            if c.status != "pending" and rng.random() < 0.15:
                opening = Decimal(rng.randint(1, int((limit or Decimal(50000)) * Decimal("0.4") / 100) or 1) * 100)
            digits = f"9{(17 + i * 7919) % 10**9:09d}"
            dist = c.distributor = None if c.type == "distributor" else rng.choice(city_dists[c.city])
            yield (
                c.code,
                name,
                c.type,
                c.region,
                dist,
                f"WH-{city}",
                None if limit is None else f"{limit:.2f}",
                terms,
                f"{opening:.2f}",
                f"+91-{digits[:5]}-{digits[5:]}",
                c.status,
            )

    world.customer_rows = list(customer_rows())  # written with the field columns once sales are known
    world.by_code = {c.code: c for c in custs}
    files.write(
        "warehouses",
        [(f"WH-{code}", f"{name} Warehouse", code, city_dists[i][0]) for i, (code, name, _) in enumerate(world.cities)],
    )
    _users(rng, files, world, per_city)


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first}.{last}".lower()


def _users(rng: random.Random, files: Files, world: GenerationState, per_city: list[float]) -> None:
    seq = 0

    def ids(email_name: str | None, domain: str = "company.example", slack=True, telegram=False):
        nonlocal seq
        seq += 1
        return (
            f"U{seq:08d}" if slack else None,
            str(700000000 + seq) if telegram else None,
            f"{email_name}{seq}@{domain}" if email_name else None,
        )

    def rows():
        for i in (1, 2):
            name, em = _person(rng)
            yield (f"U-ADM-{i}", name, "admin", None, None, None if i == 1 else "U-ADM-1", *ids(em))
        states = list(dict.fromkeys(c[2] for c in world.cities))
        for s in states:
            name, em = _person(rng)
            yield (f"U-MGR-{s}", name, "manager", None, s, "U-ADM-1", *ids(em))
        for ci, (city, _, s) in enumerate(world.cities):
            areas = world.areas[city]
            n_reps = max(1, min(len(areas), int(per_city[ci] // 300)))
            reps = [f"U-REP-{city}-{k + 1}" for k in range(n_reps)]
            world.city_reps[city] = reps
            for k, rep in enumerate(reps):
                mine = areas[k::n_reps]
                for a in mine:
                    world.reps[a] = rep
                world.rep_regions[rep] = [city] if n_reps == 1 else mine
                name, em = _person(rng)
                yield (
                    rep,
                    name,
                    "sales_rep",
                    None,
                    city if n_reps == 1 else "|".join(mine),
                    f"U-MGR-{s}",
                    *ids(em, telegram=True),
                )
            name, em = _person(rng)
            yield (f"U-WH-{city}", name, "warehouse", None, city, f"U-MGR-{s}", *ids(em))
        for c in world.customers:
            if c.type == "distributor" or (c.type == "retailer" and (rng.random() < 0.3 or c.status != "active")):
                c.user = f"U-{c.code}"
                name, em = _person(rng)
                if c.type == "distributor":
                    yield (
                        c.user,
                        name,
                        "distributor",
                        c.code,
                        None,
                        None,
                        *ids(em, "distributor.example", telegram=True),
                    )
                else:
                    yield (c.user, name, "retailer", c.code, None, None, *ids(None, slack=False, telegram=True))

    files.write("users", rows())


def _assortment(rng: random.Random, world: GenerationState) -> None:
    """Every warehouse carries the core range; every SKU is carried by one or two warehouses."""
    n, n_wh = len(world.skus), len(world.cities)
    world.core = sorted(rng.sample(range(n), min(n, max(10, n // 50))))
    carried = [dict.fromkeys(world.core) for _ in range(n_wh)]
    for i in range(n):
        carried[i % n_wh][i] = None
        if rng.random() < 0.5:
            carried[rng.randrange(n_wh)][i] = None
    world.assortment = [sorted(c) for c in carried]


def _prices(rng: random.Random, files: Files, world: GenerationState, start: date, today: date) -> None:
    states = list(dict.fromkeys(c[2] for c in world.cities))
    span = (today - start).days
    world.prices = [[] for _ in world.skus]
    for i, s in enumerate(world.skus):
        rows = world.prices[i]
        base = money(s.mrp / (1 + Decimal(s.leaf.tax) / 100) * Decimal(rng.randint(78, 88)) / 100) or Decimal("0.01")
        if rng.random() < 0.1:  # a list price change, some of them still to come
            change = start + timedelta(days=rng.randint(60, span + 40))
            rows.append(("default", None, base, start, change - timedelta(days=1)))
            rows.append(("default", None, money(base * Decimal("1.06")), change, None))
        else:
            rows.append(("default", None, base, start, None))
        rows.append(("customer_type", "distributor", money(base * Decimal("0.85")), start, None))
        if rng.random() < 0.3:
            rows.append(("customer_type", "wholesaler", money(base * Decimal("0.92")), start, None))
        if rng.random() < 0.2:
            rows.append(("customer_type", "modern_trade", money(base * Decimal("0.95")), start, None))
        if rng.random() < 0.05 or i == 0:
            to = start + timedelta(days=rng.randint(60, 180)) if rng.random() < 0.3 else None
            rows.append(("region", rng.choice(states), money(base * Decimal("0.97")), start, to))
        if rng.random() < 0.03 or i == 0:
            city = rng.choice(world.cities)[0]
            rows.append(
                ("region", city, money(base * Decimal("0.95")), start + timedelta(days=rng.randint(0, 90)), None)
            )
    # Negotiated prices for big accounts, on what their warehouse carries.
    accounts = [c for c in world.customers if c.type in ("modern_trade", "wholesaler")]
    seen: dict[tuple[int, str], None] = {}
    for _ in range(max(3, len(world.customers) // 200)):
        c = rng.choice(accounts)
        i = rng.choice(world.assortment[c.city])
        if (i, c.code) in seen:
            continue
        seen[(i, c.code)] = None
        base = world.prices[i][0][2]
        world.prices[i].append(("customer", c.code, money(base * Decimal("0.9")), start, None))

    def price_rows():
        for s, plist in zip(world.skus, world.prices):
            for scope, key, price, vf, vt in plist:
                yield (
                    s.code,
                    f"{price:.2f}",
                    key if scope == "customer_type" else None,
                    key if scope == "region" else None,
                    key if scope == "customer" else None,
                    _s(vf),
                    _s(vt),
                )

    files.write("prices", price_rows())


def _schemes(rng: random.Random, files: Files, world: GenerationState, start: date, today: date) -> None:
    skus = world.skus
    core = [i for i in world.core if len(skus[i].units) >= 2] or list(world.core)
    states = list(dict.fromkeys(c[2] for c in world.cities))
    season = (date(today.year, 11, 1) if today.month >= 11 else today.replace(day=1), date(today.year, 12, 31))
    past = (today - timedelta(days=40), today - timedelta(days=15))
    rows: list[dict] = []

    next_priority = {"volume": 0, "value": 0, "free_goods": 0}

    def add(kind, name, terms, valid=season, history=None, stackable=False, **kw):
        # Non-stackable schemes of a kind get distinct priorities, so which one wins is always
        # decided by the world rather than by the benefit tie-break.
        priority = 0 if stackable else next_priority[kind]
        next_priority[kind] += 0 if stackable else 1
        code = f"SCH-{len(rows) + 1:04d}"
        rows.append(
            dict(
                code=code,
                name=name,
                kind=kind,
                valid_from=valid[0],
                valid_to=valid[1],
                priority=priority,
                stackable=stackable,
                **kw,
            )
        )
        if history is not None:
            world.history_schemes.setdefault(history, []).append((kind, *terms, *valid))

    def unit(i, k):  # the k-th unit of a SKU (capped) and its factor
        return skus[i].units[min(k, len(skus[i].units) - 1)]

    def near(i: int) -> int:
        """A SKU to give free with SKU i: a sibling size, else one of the same category, else any."""
        for same in (
            lambda j: skus[j].product == skus[i].product,
            lambda j: skus[j].leaf is skus[i].leaf,
            lambda j: True,
        ):
            found = [j for j in world.core if j != i and same(j)]
            if found:
                return rng.choice(found)
        return i

    def one(kind_no: int) -> None:
        i = rng.choice(core)
        s = skus[i]
        pct = rng.choice([2, 3, 4, 5, 7, 10])
        base = s.units[0][0]
        since = (today - timedelta(days=rng.randint(20, 200)), season[1])
        if kind_no == 0:
            u, f = unit(i, 2)
            add(
                "volume",
                f"{s.code}: {pct}% off a full {u}",
                (f, pct, None, None, None),
                valid=since,
                history=i,
                sku=s.code,
                min_qty=1,
                unit=u,
                discount_pct=pct,
            )
        elif kind_no == 1:
            flat = rng.choice([50, 100, 250])
            add(
                "volume",
                f"{s.product}: Rs {flat} off 48 {base} or more",
                (),
                product=s.product,
                min_qty=48,
                discount_flat=f"{flat}.00",
            )
        elif kind_no == 2:
            for mq, p in [(50, 4), (200, 7)]:  # tiers: the bigger one gets the higher priority
                add("volume", f"{s.brand}: {p}% off {mq} units or more", (), brand=s.brand, min_qty=mq, discount_pct=p)
        elif kind_no == 3:
            add(
                "value",
                f"Retailers: {pct}% off orders of Rs 10000 or more",
                (),
                customer_type="retailer",
                min_value="10000.00",
                discount_pct=pct,
            )
        elif kind_no == 4:
            st = rng.choice(states)
            add(
                "value",
                f"{st}: Rs 500 off orders of Rs 25000 or more",
                (),
                region=st,
                min_value="25000.00",
                discount_flat="500.00",
            )
        elif kind_no == 5:
            u, f = unit(i, 1)
            add(
                "free_goods",
                f"{s.code}: buy 10 {u} get 1 {u} free",
                (10 * f, None, f, True),
                valid=since,
                history=i,
                sku=s.code,
                min_qty=10,
                unit=u,
                free_qty=1,
                free_unit=u,
                recursive=True,
            )
        elif kind_no == 6:
            u, f = unit(i, 2)
            add(
                "free_goods",
                f"{s.code}: 6 {base} free once on 5 {u}",
                (5 * f, None, 6, False),
                valid=since,
                history=i,
                sku=s.code,
                min_qty=5,
                unit=u,
                free_qty=6,
                recursive=False,
            )
        elif kind_no == 7:
            j = near(i)
            u, f = unit(i, 2)
            city = rng.choice(world.cities)[0]
            add(
                "free_goods",
                f"{city}: 2 {u} of {s.code} get 2 {skus[j].code} free",
                (),
                sku=s.code,
                region=city,
                min_qty=2,
                unit=u,
                free_sku=skus[j].code,
                free_qty=2,
                recursive=True,
            )
        elif kind_no == 8:
            add(
                "volume",
                f"Modern trade: {pct}% off 100 units of {s.leaf.name}",
                (),
                category=s.leaf.code,
                customer_type="modern_trade",
                min_qty=100,
                discount_pct=pct,
                stackable=True,
            )
        elif kind_no == 9:
            add(
                "volume",
                f"{s.brand}: extra 2% off 24 units, stacks",
                (),
                brand=s.brand,
                min_qty=24,
                discount_pct=2,
                stackable=True,
            )
        elif kind_no == 10:
            add(
                "value",
                f"Festival: {pct}% off orders of Rs 1000 or more",
                (),
                valid=past,
                min_value="1000.00",
                discount_pct=pct,
            )
        else:
            j = near(i)
            add(
                "free_goods",
                f"{s.leaf.name}: 1 {skus[j].code} free on 100 units",
                (),
                category=s.leaf.code,
                min_qty=100,
                free_sku=skus[j].code,
                free_qty=1,
                recursive=False,
            )

    for k in range(12):
        one(k)
    while len(rows) < max(13, len(skus) // 200):
        one(rng.randrange(12))

    def cell(r: dict, h: str):
        v = r.get(h)
        if h in ("valid_from", "valid_to"):
            return _s(v)
        return _b(v) if isinstance(v, bool) else v

    files.write("schemes", ([cell(r, h) for h in HEADERS["schemes"]] for r in rows))


# --- field work: places, beats, the reps' days -------------------------------------------------

KM_LAT = 110.574  # km per degree of latitude (and 111.320 x cos(latitude) per degree of longitude)


def _moved(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return lat + north_km / KM_LAT, lon + east_km / (111.320 * math.cos(math.radians(lat)))


def _near(rng: random.Random, lat: float, lon: float, least_m: float, most_m: float) -> tuple[float, float]:
    """A point between least_m and most_m metres away, in any direction (uniform over the ring)."""
    r = math.sqrt(rng.uniform(least_m**2, most_m**2)) / 1000
    a = rng.uniform(0, 2 * math.pi)
    return _moved(lat, lon, r * math.cos(a), r * math.sin(a))


def _deg(x: float) -> str:
    return f"{x:.6f}"  # about 0.1 m: what a phone's GPS gives, and exact as the importer's Decimal


def _places(rng: random.Random, world: GenerationState) -> None:
    """Where each customer is and who to ask for: outlets scattered within a few km of their area's
    centre, distributors' godowns towards the city's edge."""
    for c in world.customers:
        city = world.cities[c.city][0]
        lat, lon = CITY_CENTRES[city]
        if c.type == "distributor":
            north, east = rng.uniform(-6, 6), rng.uniform(-6, 6)
        else:
            north, east = AREA_OFFSETS_KM[c.region.split("-", 1)[1]]
            north, east = north + max(-2.5, min(2.5, rng.gauss(0, 0.9))), east + max(-2.5, min(2.5, rng.gauss(0, 0.9)))
        c.lat, c.lon = _moved(lat, lon, north, east)
        c.contact = None if rng.random() < 0.08 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _beats(files: Files, world: GenerationState) -> None:
    """Each rep's outlets split into a beat per weekday (mon-sat), each outlet on one beat: wedges
    around the city centre, visited from the centre outwards."""
    by_rep: dict[str, list[Cust]] = {}
    for c in world.customers:
        if c.type != "distributor" and c.status != "blocked":
            by_rep.setdefault(world.reps[c.region], []).append(c)
    city_of = {rep: (name, code) for code, name, _ in world.cities for rep in world.city_reps[code]}

    def rows():
        for rep, outlets in by_rep.items():
            name, city = city_of[rep]
            lat, lon = CITY_CENTRES[city]
            outlets.sort(key=lambda c: (math.atan2(c.lat - lat, c.lon - lon), c.code))
            n = min(len(WEEKDAYS), len(outlets))
            for k in range(n):
                wd = WEEKDAYS[k]
                beat = sorted(
                    outlets[k * len(outlets) // n : (k + 1) * len(outlets) // n],
                    key=lambda c: ((c.lat - lat) ** 2 + (c.lon - lon) ** 2, c.code),
                )
                world.beats.setdefault(rep, {})[k] = [c.code for c in beat]
                world.beat_of.update((c.code, (rep, k)) for c in beat)
                yield (
                    f"BEAT-{rep.removeprefix('U-REP-')}-{wd.upper()}",
                    f"{name} route {rep.rsplit('-', 1)[1]} {wd.capitalize()}",
                    rep,
                    wd,
                    "|".join(c.code for c in beat),
                )

    files.write("beats", rows())


@dataclass(slots=True)
class FieldVisit:
    customer: str
    planned: bool
    start: datetime
    end: datetime | None  # None: still at the outlet (today only)


@dataclass(slots=True)
class RepDay:
    check_in: datetime
    check_out: datetime | None  # None: the day is still open (today only)
    at: tuple[float, float]  # where the rep checked in
    visits: list[FieldVisit]


class FieldPlan:
    """The reps' working days over the last few weeks before `today`. Each (rep, day) is drawn from
    its own seeded generator, so the history can put a rep's orders into their visits and the
    visits file can write the same days later, without holding every day in memory."""

    ABSENT, MISSED, UNPLANNED, OFF_SITE, NO_FIX = 0.04, 0.08, 0.2, 0.03, 0.02

    def __init__(self, world: GenerationState, seed: int, start: date, today: date, weeks: int):
        self.world, self.seed, self.today = world, seed, today
        first = max(start, today - timedelta(weeks=weeks) + timedelta(days=1))
        self.days = [
            first + timedelta(days=k)
            for k in range((today - first).days + 1)
            if (first + timedelta(days=k)).weekday() < len(WEEKDAYS)
        ]
        self.linked: dict[tuple[str, date, str], str] = {}  # (rep, day, customer) -> order no. of that visit
        self._taken: set[tuple[str, date, str]] = set()
        self._cache: dict[tuple[str, date], RepDay | None] = {}

    def day(self, rep: str, day: date) -> RepDay | None:
        """The rep's day, or None when they did not work (absent, Sunday, not checked in yet today)."""
        key = (rep, day)
        if key not in self._cache:
            if len(self._cache) > 1024:  # the history asks in date order: old days are not asked again
                self._cache.clear()
            self._cache[key] = self.draw(rep, day)
        return self._cache[key]

    def draw(self, rep: str, day: date) -> RepDay | None:
        rng = random.Random(f"{self.seed}:field:{rep}:{day.isoformat()}")
        beats = self.world.beats.get(rep)
        is_today = day == self.today
        if (
            not beats
            or day > self.today
            or day.weekday() >= len(WEEKDAYS)
            or rng.random() < self.ABSENT
            or (is_today and rng.random() < 0.3)
        ):
            return None
        by = self.world.by_code
        stops = [(code, True) for code in beats.get(day.weekday(), []) if rng.random() >= self.MISSED]
        others = [code for k, codes in beats.items() if k != day.weekday() for code in codes]
        if others and rng.random() < self.UNPLANNED:  # an outlet of another day that called the rep in
            stops.insert(rng.randint(0, len(stops)), (rng.choice(others), False))
        first = by[stops[0][0] if stops else beats[min(beats)][0]]
        at = _near(rng, first.lat, first.lon, 10, 150)
        check_in = datetime.combine(day, time(9), IST) + timedelta(minutes=rng.randint(0, 45 if is_today else 90))
        if is_today:  # the day has just begun: a visit or two, the last perhaps still going on
            stops = stops[: rng.choice([0, 1, 1, 2])]
            times = _lay_out(rng, len(stops), check_in, check_in + timedelta(minutes=70))
            visits = [FieldVisit(code, planned, a, b) for (code, planned), (a, b) in zip(stops, times)]
            if visits and rng.random() < 0.5:
                visits[-1].end = None
            return RepDay(check_in, None, at, visits)
        check_out = datetime.combine(day, time(17), IST) + timedelta(minutes=rng.randint(0, 150))
        times = _lay_out(rng, len(stops), check_in, check_out - timedelta(minutes=15))
        return RepDay(
            check_in, check_out, at, [FieldVisit(code, planned, a, b) for (code, planned), (a, b) in zip(stops, times)]
        )

    def align(self, rng: random.Random, rep: str | None, code: str, at: datetime) -> datetime | None:
        """When a rep's order for an outlet of their beats falls in the window, the moment during the
        latest visit of that outlet on or before its day (its beat's weekday) with no order yet."""
        beat = self.world.beat_of.get(code)
        if rep is None or beat is None or beat[0] != rep or not self.days:
            return None
        d = at.date()
        d -= timedelta(days=(d.weekday() - beat[1]) % 7)
        while d >= self.days[0] and d < self.today:
            day = self.day(rep, d)
            visit = next((v for v in day.visits if v.customer == code), None) if day else None
            if visit is not None and visit.end is not None and (rep, d, code) not in self._taken:
                self._taken.add((rep, d, code))
                return (visit.start + (visit.end - visit.start) * rng.uniform(0.3, 0.8)).replace(microsecond=0)
            d -= timedelta(days=7)
        return None


def _lay_out(rng: random.Random, n: int, start: datetime, stop: datetime) -> list[tuple[datetime, datetime]]:
    """n visits in a row between start and stop: a few minutes on the road, then in the shop;
    squeezed to fit when the beat is long."""
    legs = [(240 + 960 * rng.random(), 360 + 840 * rng.random()) for _ in range(n)]  # seconds: 4-20, 6-20 min
    total = sum(a + b for a, b in legs)
    k = min(1.0, (stop - start).total_seconds() / total) if total else 1.0
    out, t = [], start
    for road, shop in legs:
        t += timedelta(seconds=int(road * k))
        out.append((t, t + timedelta(seconds=max(60, int(shop * k)))))
        t = out[-1][1]
    return out


def _customers(files: Files, world: GenerationState) -> None:
    """customers.csv, written last: with its field columns and each one's class by its share of its
    type's sales (A: those making the first half, B: the next 35%, C: the rest and those with none)."""
    total: dict[str, Decimal] = {}
    for (code, _), net in world.sales.items():
        total[code] = total.get(code, Decimal(0)) + net
    ranked: dict[str, list[tuple[Decimal, str]]] = {}
    for c in world.customers:
        ranked.setdefault(c.type, []).append((total.get(c.code, Decimal(0)), c.code))
    grade: dict[str, str] = {}
    for members in ranked.values():
        members.sort(key=lambda t: (-t[0], t[1]))
        whole, before = sum(v for v, _ in members), Decimal(0)
        for v, code in members:
            share = before / whole if whole else Decimal(1)
            grade[code] = "C" if not v else "A" if share < Decimal("0.5") else "B" if share < Decimal("0.85") else "C"
            before += v
    files.write(
        "customers",
        (
            (*row, c.contact, _deg(c.lat), _deg(c.lon), grade[c.code])
            for row, c in zip(world.customer_rows, world.customers)
        ),
    )


def _months(start: date, today: date) -> list[str]:
    """The history's whole months and the current one."""
    y, m = start.year, start.month
    if start.day != 1:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out = []
    while (y, m) <= (today.year, today.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _targets(rng: random.Random, files: Files, world: GenerationState, start: date, today: date) -> None:
    """Monthly net-sales targets of every rep and distributor: 80-120% of what they sold in a past
    month, of their recent average for the current one (rules.md: a rep's scope, a distributor's own)."""
    months = _months(start, today)
    whole_city = {world.rep_regions[reps[0]][0]: reps[0] for reps in world.city_reps.values() if len(reps) == 1}
    achieved: dict[tuple[str, str], Decimal] = {}
    for (code, month), net in world.sales.items():
        c = world.by_code[code]
        owners = {
            world.reps.get(c.region),
            whole_city.get(world.cities[c.city][0]),
            code if c.type == "distributor" else c.distributor,
        }
        for who in owners:
            if who is not None:
                achieved[(who, month)] = achieved.get((who, month), Decimal(0)) + net

    def target(who: str, month: str, floor: int) -> Decimal:
        past = [achieved.get((who, m), Decimal(0)) for m in months[:-1]]
        sold = [v for v in past if v]
        if month != months[-1] and achieved.get((who, month)):
            base = achieved[(who, month)]
        else:  # the month is not over (or nothing sold): what a recent month brings
            base = sum(sold[-3:], Decimal(0)) / len(sold[-3:]) if sold else Decimal(floor)
        return max(Decimal(1000), (base * Decimal(rng.randint(80, 120)) / 100 / 1000).quantize(Decimal(1)) * 1000)

    distributors = [c.code for c in world.customers if c.type == "distributor"]
    files.write(
        "targets",
        (
            (m, who, None, f"{target(who, m, 50000):.2f}")
            if kind == "user"
            else (m, None, who, f"{target(who, m, 200000):.2f}")
            for m in months
            for kind, group in (("user", world.rep_regions), ("customer", distributors))
            for who in group
        ),
    )


def _field(files: Files, world: GenerationState, plan: FieldPlan) -> None:
    """attendance.csv and visits.csv: each rep's days of the window, day by day (ids in time order)."""
    seq = 0
    with files.open("attendance") as attend, files.open("visits") as visit:
        for d in plan.days:
            for rep in world.rep_regions:
                day = plan.draw(rep, d)
                if day is None:
                    continue
                attend(
                    (
                        rep,
                        day.check_in.isoformat(),
                        day.check_out.isoformat() if day.check_out else None,
                        _deg(day.at[0]),
                        _deg(day.at[1]),
                    )
                )
                rng = random.Random(f"{plan.seed}:visits:{rep}:{d.isoformat()}")
                for v in day.visits:
                    seq += 1
                    visit(_visit_row(rng, world, plan, f"V-{seq:06d}", rep, d, v))


def _visit_row(
    rng: random.Random, world: GenerationState, plan: FieldPlan, vid: str, rep: str, d: date, v: FieldVisit
) -> tuple:
    c = world.by_code[v.customer]
    r = rng.random()
    if r < plan.NO_FIX:  # the phone gave no location
        lat, lon = None, None
    elif r < plan.NO_FIX + plan.OFF_SITE:  # started from the road, a tea shop, home
        lat, lon = (_deg(x) for x in _near(rng, c.lat, c.lon, 300, 2000))
    else:
        lat, lon = (_deg(x) for x in _near(rng, c.lat, c.lon, 0, 50))
    order_no = plan.linked.get((rep, d, v.customer))
    outcome = reason = notes = None
    if v.end is not None:
        outcome = "order" if order_no else "no_order"
    if outcome == "no_order":
        reason, _, note = rng.choices(NO_ORDER, cum_weights=NO_ORDER_CUM)[0]
        notes = note if rng.random() < 0.2 else None
    return (
        vid,
        rep,
        v.customer,
        v.start.isoformat(),
        v.end.isoformat() if v.end else None,
        outcome,
        reason,
        order_no,
        lat,
        lon,
        notes,
    )


def _field_weeks(n_customers: int) -> int:
    """How many weeks of field history: fewer for big worlds, whose reps make many more visits."""
    return 8 if n_customers <= 2000 else 6 if n_customers <= 10000 else 4


class _PriceRow(NamedTuple):
    """A price row as core.pricing reads one (the Price table's columns)."""

    sku: str
    price: Decimal
    customer_type: str | None
    region: str | None
    customer: str | None
    valid_from: date | None
    valid_to: date | None


def _price_rows(world: GenerationState, i: int) -> list[_PriceRow]:
    code = world.skus[i].code
    return [
        _PriceRow(
            code,
            price,
            key if scope == "customer_type" else None,
            key if scope == "region" else None,
            key if scope == "customer" else None,
            vf,
            vt,
        )
        for scope, key, price, vf, vt in world.prices[i]
    ]


def _price_for(rows: list[_PriceRow], c: Cust, day: date, chain: list[str]) -> Decimal:
    """The price list's answer, by the core's own precedence (rules.md; core.pricing.resolve_price)."""
    choice = resolve_price(rows, PriceContext(c.code, c.type, tuple(chain)), day)
    assert choice is not None, "every SKU has a default price from the start"
    return choice.price


def _history(
    rng: random.Random, files: Files, world: GenerationState, n_lines: int, start: date, today: date, plan: FieldPlan
) -> dict[tuple[int, int], int]:
    """Orders and payments of the past; returns the stock confirmed orders reserve, per (warehouse, SKU).
    A rep's recent orders for their beat outlets are taken during a visit (plan.linked)."""
    counts = []
    left = n_lines
    while left > 0:
        k = min(left, rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]))
        counts.append(k)
        left -= k
    span = (today - start).days
    moments = sorted(
        datetime.combine(
            today - timedelta(days=rng.randint(1, 10))
            if rng.random() < 0.12
            else start + timedelta(days=rng.randrange(span)),
            time(rng.randint(9, 19), rng.randrange(0, 60, 5)),
            IST,
        )
        for _ in counts
    )
    weight = {"distributor": 6, "wholesaler": 3, "modern_trade": 3, "retailer": 1}

    def pool(ok):
        members = [c for c in world.customers if ok(c)]
        cum, t = [], 0
        for c in members:
            t += weight[c.type]
            cum.append(t)
        return members, cum

    active = pool(lambda c: c.status == "active")
    older = pool(lambda c: c.status != "pending")  # blocked customers ordered before they were blocked
    states = {c[0]: c[2] for c in world.cities}
    demand: dict[tuple[int, int], int] = {}
    billed: dict[str, list] = {}  # customer -> [invoiced total, first invoice date]
    price_rows: dict[int, list[_PriceRow]] = {}  # SKU index -> its price rows, made when first sold

    def party(at: datetime) -> tuple[datetime, Cust, str, bool]:
        """Who ordered, who took it down, and when: during the rep's visit when there was one."""
        members, cum = active if (today - at.date()).days <= 30 else older
        c = members[bisect.bisect_right(cum, rng.random() * cum[-1])]
        city = world.cities[c.city][0]
        by = c.user if c.user and rng.random() < 0.4 else world.reps.get(c.region) or world.city_reps[city][0]
        during = plan.align(rng, by, c.code, at)
        return during or at, c, by, during is not None

    parties = sorted((party(at) for at in moments), key=lambda p: p[0])  # numbers follow time

    def orders(line):
        n = len(counts)
        for no, (k, (at, c, by, visited)) in enumerate(zip(counts, parties)):
            age = (today - at.date()).days
            r = rng.random()
            if age <= 2:
                status = (
                    "confirmed" if r < 0.55 else "dispatched" if r < 0.85 else "delivered" if r < 0.93 else "cancelled"
                )
            elif age <= 7:
                status = (
                    "confirmed" if r < 0.15 else "dispatched" if r < 0.5 else "delivered" if r < 0.92 else "cancelled"
                )
            else:
                status = "delivered" if r < 0.92 else "dispatched" if r < 0.93 else "cancelled"
            if n >= 4:  # every status appears even in a small world
                status = {n - 1: "confirmed", n - 2: "dispatched", 0: "cancelled"}.get(no, status)
            city = world.cities[c.city][0]
            order_no = f"SO-{no + 1:06d}"
            if visited:
                plan.linked[(by, at.date(), c.code)] = order_no
            chain = [c.region] + ([city] if c.region != city else []) + [states[city], "IN"]
            assortment = world.assortment[c.city]
            picks = rng.sample(world.core, k) if rng.random() < 0.6 else rng.sample(assortment, k)
            total = Decimal(0)
            for i in picks:
                s = world.skus[i]
                big = c.type in ("distributor", "wholesaler")
                unit_no = min(len(s.units) - 1, rng.choice([1, 2, 2]) if big else rng.choice([0, 1, 1]))
                qty = s.units[unit_no][1] * rng.randint(1, 10 if unit_no else 48)
                if i not in price_rows:
                    price_rows[i] = _price_rows(world, i)
                price = _price_for(price_rows[i], c, at.date(), chain)
                gross = money(price * qty)
                disc, free = Decimal(0), 0
                for kind, *terms, vf, vt in world.history_schemes.get(i, ()):
                    if not (vf <= at.date() <= vt):
                        continue
                    if kind == "volume" and qty >= terms[0]:
                        disc = max(disc, money(gross * terms[1] / 100))
                    elif kind == "free_goods" and qty >= terms[0]:
                        free = max(free, (qty // terms[0]) * terms[2] if terms[3] else terms[2])
                net = gross - disc
                total += net + money(net * s.leaf.tax / 100)
                if status != "cancelled":
                    key_month = (c.code, at.strftime("%Y-%m"))
                    world.sales[key_month] = world.sales.get(key_month, Decimal(0)) + net
                line((order_no, s.code, qty, f"{price:.2f}", f"{disc:.2f}", free))
                if status == "confirmed":
                    key = (c.city, i)
                    demand[key] = demand.get(key, 0) + qty + free
            if status in ("dispatched", "delivered"):
                b = billed.setdefault(c.code, [Decimal(0), at.date()])
                b[0] += total
            yield (order_no, c.code, f"WH-{city}", at.isoformat(), status, by)

    with files.open("order_lines") as line:
        files.write("orders", orders(line))

    def payments():
        for code, (amount, first) in billed.items():
            if rng.random() > 0.7 or (today - first).days < 4:
                continue
            n = rng.randint(1, 3)
            paid = money(amount * Decimal(rng.randint(30, 100)) / 100 / n)
            if paid <= 0:
                continue
            for day in sorted(first + timedelta(days=rng.randint(3, (today - first).days - 1)) for _ in range(n)):
                method = rng.choice(["cash", "upi", "upi", "bank_transfer", "cheque"])
                ref = {
                    "cash": None,
                    "upi": f"UPI-{rng.randrange(10**8):08d}",
                    "bank_transfer": f"NEFT-{rng.randrange(10**8):08d}",
                    "cheque": f"CHQ-{rng.randrange(10**6):06d}",
                }[method]
                yield (code, f"{paid:.2f}", day.isoformat(), method, ref)

    files.write("payments", payments())
    return demand


def _stock(
    rng: random.Random, files: Files, world: GenerationState, demand: dict[tuple[int, int], int], today: date
) -> None:
    """Several batches per SKU and warehouse: live ones, now and then an expired one or a damaged row.
    Confirmed history is reserved from the newest live batch, so it always fits."""
    forced = {"expired": True, "damaged": True}

    def rows():
        for w, assortment in enumerate(world.assortment):
            wh = f"WH-{world.cities[w][0]}"
            for i in assortment:
                s = world.skus[i]
                shelf = s.leaf.shelf_days
                big = s.units[-1][1]
                n = rng.randint(1, 3)
                offsets = sorted(rng.sample(range(5, (shelf - 10) if shelf else 200), n), reverse=True)
                batches = []
                if shelf and (forced["expired"] or rng.random() < 0.06):
                    forced["expired"] = False
                    mfg = today - timedelta(days=shelf + rng.randint(5, 60))
                    batches.append((mfg, rng.randint(1, 3) * big // 4 or 1))
                batches += [(today - timedelta(days=o), big * rng.randint(2, 30)) for o in offsets]
                extra = demand.get((w, i), 0)
                for k, (mfg, qty) in enumerate(batches):
                    if k == len(batches) - 1:
                        qty += extra
                    batch = f"B{mfg:%y%m%d}"
                    exp = mfg + timedelta(days=shelf) if shelf else None
                    received = min(today, mfg + timedelta(days=rng.randint(2, 10)))
                    yield (wh, s.code, batch, qty, _s(mfg), _s(exp), _s(received), "available")
                    if forced["damaged"] or rng.random() < 0.03:
                        forced["damaged"] = False
                        yield (
                            wh,
                            s.code,
                            batch,
                            rng.randint(1, max(1, s.units[1][1] if len(s.units) > 1 else 5)),
                            _s(mfg),
                            _s(exp),
                            _s(received),
                            "damaged",
                        )

    files.write("stock", rows())
