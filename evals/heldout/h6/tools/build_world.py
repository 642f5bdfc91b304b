#!/usr/bin/env python3
"""Build the h6 held-out world (biscuits, snacks, beverages; Tamil Nadu + Kerala).

Deterministic: fixed data plus a seeded generator for order history.
Writes CSVs in shared/spec/world.md format into ../world.
"""
import csv
import os
import random
from datetime import date, datetime, timedelta
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "world")
NOW = date(2026, 11, 20)
D2 = Decimal("0.01")


def q2(x):
    return Decimal(x).quantize(D2, rounding=ROUND_HALF_UP)


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


BRANDS = [
    ("MALAR", "Malar Foods", ""),
    ("MALAR-BIS", "Malar Biscuits", "MALAR"),
    ("MALAR-SNK", "Malar Snacks", "MALAR"),
    ("CRISPO", "Crispo", ""),
    ("THENI", "Theni Estates", ""),
    ("KERAVITA", "Keravita", ""),
    ("NILA", "Nila Beverages", ""),
]
CATS = [
    ("FOOD", "Foods & Beverages", ""),
    ("BISCUITS", "Biscuits", "FOOD"),
    ("CREAM-BIS", "Cream Biscuits", "BISCUITS"),
    ("PLAIN-BIS", "Glucose & Marie", "BISCUITS"),
    ("COOKIES", "Cookies & Crackers", "BISCUITS"),
    ("SNACKS", "Snacks", "FOOD"),
    ("CHIPS", "Chips", "SNACKS"),
    ("NAMKEEN", "Namkeen & Savouries", "SNACKS"),
    ("BEVERAGES", "Beverages", "FOOD"),
    ("TEA", "Tea", "BEVERAGES"),
    ("COFFEE", "Coffee", "BEVERAGES"),
    ("JUICE", "Juices & Fruit Drinks", "BEVERAGES"),
    ("SOFT-DRINKS", "Soda & Soft Drinks", "BEVERAGES"),
    ("COCONUT", "Coconut Drinks", "BEVERAGES"),
    ("WATER", "Packaged Water", "BEVERAGES"),
]
# product code, name, brand, category
PRODUCTS = [
    ("CHOCO-CREAM", "Malar Choco Cream", "MALAR-BIS", "CREAM-BIS"),
    ("ORANGE-CREAM", "Malar Orange Cream", "MALAR-BIS", "CREAM-BIS"),
    ("GLUCOSE", "Malar Glucose", "MALAR-BIS", "PLAIN-BIS"),
    ("MARIE-LITE", "Malar Marie Lite", "MALAR-BIS", "PLAIN-BIS"),
    ("BUTTER-COOKIES", "Malar Butter Cookies", "MALAR-BIS", "COOKIES"),
    ("CASHEW-COOKIES", "Malar Cashew Cookies", "MALAR-BIS", "COOKIES"),
    ("COCONUT-CRUNCH", "Malar Coconut Crunch", "MALAR-BIS", "COOKIES"),
    ("SALT-CRACKERS", "Malar Salt Crackers", "MALAR-BIS", "COOKIES"),
    ("CRISPO-CHIPS", "Crispo Potato Chips", "CRISPO", "CHIPS"),
    ("BANANA-CHIPS", "Crispo Kerala Banana Chips", "CRISPO", "CHIPS"),
    ("MADRAS-MIXTURE", "Malar Madras Mixture", "MALAR-SNK", "NAMKEEN"),
    ("MURUKKU", "Malar Murukku", "MALAR-SNK", "NAMKEEN"),
    ("MASALA-PEANUTS", "Malar Masala Peanuts", "MALAR-SNK", "NAMKEEN"),
    ("RIBBON-PAKODA", "Malar Ribbon Pakoda", "MALAR-SNK", "NAMKEEN"),
    ("THENI-TEA", "Theni Dust Tea", "THENI", "TEA"),
    ("THENI-TEABAGS", "Theni Tea Bags", "THENI", "TEA"),
    ("THENI-GREEN", "Theni Green Tea", "THENI", "TEA"),
    ("FILTER-COFFEE", "Theni Filter Coffee", "THENI", "COFFEE"),
    ("INSTANT-COFFEE", "Theni Instant Coffee", "THENI", "COFFEE"),
    ("TENDER-COCONUT", "Keravita Tender Coconut Water", "KERAVITA", "COCONUT"),
    ("COCONUT-MILK", "Keravita Coconut Milk", "KERAVITA", "COCONUT"),
    ("NILA-MANGO", "Nila Mango Drink", "NILA", "JUICE"),
    ("NILA-GUAVA", "Nila Guava Drink", "NILA", "JUICE"),
    ("JEERA-SODA", "Nila Jeera Soda", "NILA", "SOFT-DRINKS"),
    ("GOLI-SODA", "Nila Goli Soda", "NILA", "SOFT-DRINKS"),
    ("LEMON-FIZZ", "Nila Lemon Fizz", "NILA", "SOFT-DRINKS"),
    ("NILA-WATER", "Nila Packaged Water", "NILA", "WATER"),
]
# sku, product, name, units, tax, mrp, default price, alloc, reorder, aliases
SKUS = [
    ("MB-CHOC-75", "CHOCO-CREAM", "Malar Choco Cream 75g", "PCS=1|BOX=12|CASE=96", 18, "10.00", "8.50", "FEFO", 192, "choco cream small|chocolate cream biscuit"),
    ("MB-CHOC-150", "CHOCO-CREAM", "Malar Choco Cream 150g", "PCS=1|BOX=6|CASE=48", 18, "20.00", "17.00", "FEFO", 96, "choco cream big"),
    ("MB-CHOC-300", "CHOCO-CREAM", "Malar Choco Cream Family Pack 300g", "PCS=1|BOX=6|CASE=24", 18, "40.00", "34.00", "FEFO", 48, "choco family pack"),
    ("MB-ORNG-75", "ORANGE-CREAM", "Malar Orange Cream 75g", "PCS=1|BOX=12|CASE=96", 18, "10.00", "8.50", "FEFO", 192, "orange cream biscuit"),
    ("MB-GLU-60", "GLUCOSE", "Malar Glucose 60g", "PCS=1|PACK=10|CASE=200", 18, "5.00", "4.20", "FEFO", 400, "glucose biscuit small|glucose 5 rupee"),
    ("MB-GLU-250", "GLUCOSE", "Malar Glucose 250g", "PCS=1|BOX=12|CASE=48", 18, "25.00", "21.00", "FEFO", 96, "glucose big"),
    ("MB-MARI-120", "MARIE-LITE", "Malar Marie Lite 120g", "PCS=1|BOX=10|CASE=60", 18, "17.00", "14.00", "FEFO", 120, "marie"),
    ("MB-BUTR-100", "BUTTER-COOKIES", "Malar Butter Cookies 100g", "PCS=1|BOX=12|CASE=72", 18, "30.00", "24.00", "FEFO", 72, "butter biscuit"),
    ("MB-CASH-200", "CASHEW-COOKIES", "Malar Cashew Cookies 200g", "PCS=1|BOX=6|CASE=36", 18, "60.00", "48.00", "FEFO", 36, "cashew biscuit|kaju cookies"),
    ("MB-COCO-100", "COCONUT-CRUNCH", "Malar Coconut Crunch 100g", "PCS=1|BOX=12|CASE=96", 18, "15.00", "12.50", "FEFO", 96, "coconut biscuit"),
    ("MB-SALT-100", "SALT-CRACKERS", "Malar Salt Crackers 100g", "PCS=1|BOX=12|CASE=96", 18, "13.00", "11.00", "FEFO", 96, "salt biscuit|crackers"),
    ("CR-SALT-50", "CRISPO-CHIPS", "Crispo Classic Salted Chips 50g", "PCS=1|BOX=20|CASE=120", 12, "20.00", "17.00", "FEFO", 240, "salted chips|plain chips"),
    ("CR-MASL-50", "CRISPO-CHIPS", "Crispo Masala Chips 50g", "PCS=1|BOX=20|CASE=120", 12, "20.00", "17.00", "FEFO", 240, "masala chips small"),
    ("CR-MASL-150", "CRISPO-CHIPS", "Crispo Masala Chips 150g", "PCS=1|BOX=10|CASE=40", 12, "55.00", "45.00", "FEFO", 80, "masala chips big"),
    ("CR-TOMA-50", "CRISPO-CHIPS", "Crispo Tangy Tomato Chips 50g", "PCS=1|BOX=20|CASE=120", 12, "20.00", "17.00", "FEFO", 240, "tomato chips"),
    ("CR-PERI-50", "CRISPO-CHIPS", "Crispo Peri Peri Chips 50g", "PCS=1|BOX=20|CASE=120", 12, "20.00", "17.00", "FEFO", 240, "peri peri"),
    ("CR-BANA-100", "BANANA-CHIPS", "Crispo Kerala Banana Chips 100g", "PCS=1|BOX=10|CASE=50", 12, "45.00", "38.00", "FEFO", 100, "banana chips|nendran chips"),
    ("CR-BANA-250", "BANANA-CHIPS", "Crispo Kerala Banana Chips 250g", "PCS=1|BOX=6|CASE=24", 12, "105.00", "88.00", "FEFO", 48, "banana chips big"),
    ("MS-MIXT-200", "MADRAS-MIXTURE", "Malar Madras Mixture 200g", "PCS=1|BOX=10|CASE=40", 12, "50.00", "42.00", "FEFO", 80, "mixture|madras mix"),
    ("MS-MURU-150", "MURUKKU", "Malar Murukku 150g", "PCS=1|BOX=10|CASE=40", 12, "42.00", "35.00", "FEFO", 80, "murukku|chakli"),
    ("MS-PEAN-100", "MASALA-PEANUTS", "Malar Masala Peanuts 100g", "PCS=1|BOX=24|CASE=96", 12, "22.00", "18.00", "FEFO", 96, "peanuts|kadalai"),
    ("MS-RIBB-200", "RIBBON-PAKODA", "Malar Ribbon Pakoda 200g", "PCS=1|BOX=10|CASE=40", 12, "48.00", "40.00", "FEFO", 40, "ribbon pakoda|ola pakoda"),
    ("TH-TEA-250", "THENI-TEA", "Theni Dust Tea 250g", "PCS=1|CASE=40", 5, "140.00", "115.00", "FIFO", 80, "tea powder|dust tea"),
    ("TH-TEA-1K", "THENI-TEA", "Theni Dust Tea 1kg", "PCS=1|CASE=12", 5, "520.00", "430.00", "FIFO", 24, "tea 1 kilo"),
    ("TH-TEA-BAG", "THENI-TEABAGS", "Theni Tea Bags 100s", "PCS=1|BOX=6|CASE=36", 5, "195.00", "160.00", "FIFO", 36, "tea bags"),
    ("TH-GRN-100", "THENI-GREEN", "Theni Green Tea 100g", "PCS=1|BOX=12", 5, "150.00", "120.00", "FIFO", 24, "green tea"),
    ("TH-COF-200", "FILTER-COFFEE", "Theni Filter Coffee 200g", "PCS=1|BOX=10|CASE=40", 5, "165.00", "135.00", "FIFO", 40, "filter coffee|kaapi powder"),
    ("TH-COF-500", "FILTER-COFFEE", "Theni Filter Coffee 500g", "PCS=1|CASE=20", 5, "390.00", "320.00", "FIFO", 20, "filter coffee big"),
    ("TH-INST-50", "INSTANT-COFFEE", "Theni Instant Coffee 50g", "PCS=1|BOX=12|CASE=48", 5, "115.00", "95.00", "FIFO", 48, "instant coffee|coffee jar"),
    ("KV-TEND-200", "TENDER-COCONUT", "Keravita Tender Coconut Water 200ml", "PCS=1|CARTON=24", 12, "35.00", "28.00", "FEFO", 96, "tender coconut|elaneer|karikku"),
    ("KV-TEND-1L", "TENDER-COCONUT", "Keravita Tender Coconut Water 1L", "PCS=1|CARTON=12", 12, "130.00", "105.00", "FEFO", 24, "tender coconut big"),
    ("KV-CMLK-400", "COCONUT-MILK", "Keravita Coconut Milk 400ml", "PCS=1|CARTON=24", 12, "75.00", "62.00", "FEFO", 48, "coconut milk|thengai paal"),
    ("NL-MANGO-200", "NILA-MANGO", "Nila Mango Drink 200ml", "PCS=1|PACK=6|CARTON=36", 12, "20.00", "16.00", "FEFO", 144, "mango juice small|mango tetra"),
    ("NL-MANGO-1L", "NILA-MANGO", "Nila Mango Drink 1.2L", "PCS=1|CASE=12", 12, "70.00", "58.00", "FEFO", 48, "mango bottle"),
    ("NL-GUAV-200", "NILA-GUAVA", "Nila Guava Drink 200ml", "PCS=1|PACK=6|CARTON=36", 12, "20.00", "16.00", "FEFO", 72, "guava juice"),
    ("NL-SODA-600", "JEERA-SODA", "Nila Jeera Soda 600ml", "PCS=1|CRATE=24", 28, "40.00", "30.00", "FEFO", 96, "jeera soda|jeera drink"),
    ("NL-GOLI-250", "GOLI-SODA", "Nila Goli Soda 250ml", "PCS=1|CRATE=24", 28, "15.00", "12.00", "FEFO", 96, "goli soda|panneer soda"),
    ("NL-LEMN-500", "LEMON-FIZZ", "Nila Lemon Fizz 500ml", "PCS=1|CRATE=24", 28, "35.00", "25.00", "FEFO", 72, "lemon soda|nimbu soda"),
    ("NL-WATR-1L", "NILA-WATER", "Nila Packaged Water 1L", "PCS=1|CASE=12", 18, "20.00", "14.00", "FEFO", 120, "water bottle|mineral water"),
    ("NL-WATR-20L", "NILA-WATER", "Nila Water Can 20L", "PCS=1", 18, "80.00", "60.00", "FIFO", 20, "water can|bubble top"),
]
SKU = {s[0]: s for s in SKUS}


def factor(sku, unit):
    for part in SKU[sku][3].split("|"):
        u, f = part.split("=")
        if u == unit:
            return int(f)
    raise KeyError(unit)


REGIONS = [
    ("IN", "India", "", "country"),
    ("TN", "Tamil Nadu", "IN", "state"),
    ("KL", "Kerala", "IN", "state"),
    ("CHN", "Chennai", "TN", "city"),
    ("CHN-ANN", "Anna Nagar", "CHN", "area"),
    ("CHN-TNG", "T. Nagar", "CHN", "area"),
    ("CHN-VEL", "Velachery", "CHN", "area"),
    ("CBE", "Coimbatore", "TN", "city"),
    ("CBE-RSP", "R.S. Puram", "CBE", "area"),
    ("CBE-GAN", "Gandhipuram", "CBE", "area"),
    ("MDU", "Madurai", "TN", "city"),
    ("MDU-SIM", "Simmakkal", "MDU", "area"),
    ("KOC", "Kochi", "KL", "city"),
    ("KOC-EDA", "Edappally", "KOC", "area"),
    ("KOC-FTK", "Fort Kochi", "KOC", "area"),
    ("TVM", "Thiruvananthapuram", "KL", "city"),
    ("TVM-PAT", "Pattom", "TVM", "area"),
]
WAREHOUSES = [
    ("WH-CHN", "Ambattur Warehouse Chennai", "CHN", "D-CHN"),
    ("WH-CBE", "Coimbatore Depot", "CBE", ""),
    ("WH-KOC", "Kalamassery Warehouse Kochi", "KOC", "D-KOC"),
]
# code, name, type, region, distributor, warehouse, credit, terms, opening, phone, status, contact, lat, lon, class
CUSTOMERS = [
    ("D-CHN", "Sri Murugan Distributors", "distributor", "CHN", "", "WH-CHN", "800000.00", 30, "0.00", "+91-44-4211-0001", "active", "Sundaram P", "13.1143", "80.1548", "A"),
    ("D-KOC", "Periyar Traders", "distributor", "KOC", "", "WH-KOC", "600000.00", 30, "0.00", "+91-484-255-0002", "active", "George Kurian", "10.0530", "76.3210", "A"),
    ("W-CBE-01", "Kongu Wholesale Mart", "wholesaler", "CBE", "", "WH-CBE", "300000.00", 21, "0.00", "+91-422-239-0101", "active", "Palanisamy K", "11.0168", "76.9558", "A"),
    ("W-MDU-01", "Vaigai Wholesale Traders", "wholesaler", "MDU-SIM", "", "WH-CBE", "200000.00", 21, "15000.00", "+91-452-234-0102", "active", "Ramar S", "9.9252", "78.1198", "B"),
    ("W-TVM-01", "Anantha Wholesale Depot", "wholesaler", "TVM-PAT", "", "WH-KOC", "250000.00", 21, "0.00", "+91-471-254-0103", "active", "Harikrishnan", "8.5241", "76.9366", "A"),
    ("M-CHN-01", "FreshBasket Supermarket", "modern_trade", "CHN-VEL", "D-CHN", "WH-CHN", "300000.00", 30, "0.00", "+91-44-2243-0104", "active", "Ritu Menon", "12.9815", "80.2180", "A"),
    ("R-CHN-101", "Selvi Stores", "retailer", "CHN-ANN", "D-CHN", "WH-CHN", "25000.00", 15, "3200.00", "+91-98400-10101", "active", "Selvi M", "13.0850", "80.2101", "B"),
    ("R-CHN-102", "Balaji Provisions", "retailer", "CHN-ANN", "D-CHN", "WH-CHN", "40000.00", 15, "0.00", "+91-98400-10102", "active", "Balaji R", "13.0878", "80.2143", "A"),
    ("R-CHN-103", "Lakshmi Bakery and Cool Bar", "retailer", "CHN-TNG", "D-CHN", "WH-CHN", "20000.00", 7, "0.00", "+91-98400-10103", "active", "Lakshmi N", "13.0418", "80.2341", "B"),
    ("R-CHN-104", "Annai Super Store", "retailer", "CHN-TNG", "D-CHN", "WH-CHN", "50000.00", 15, "0.00", "+91-98400-10104", "active", "Arul Doss", "13.0392", "80.2300", "A"),
    ("R-CHN-105", "Velachery Fresh Mart", "retailer", "CHN-VEL", "D-CHN", "WH-CHN", "30000.00", 15, "0.00", "+91-98400-10105", "active", "Imran Basha", "12.9791", "80.2209", "B"),
    ("R-CHN-106", "Kumaran Tea Stall", "retailer", "CHN-VEL", "D-CHN", "WH-CHN", "10000.00", 7, "0.00", "+91-98400-10106", "pending", "Kumaran", "12.9750", "80.2190", "C"),
    ("R-CHN-107", "Royal Bakery", "retailer", "CHN-ANN", "D-CHN", "WH-CHN", "30000.00", 15, "0.00", "+91-98400-10107", "active", "Abdul Rahim", "13.0860", "80.2080", "B"),
    ("R-CBE-201", "Sri Ganapathy Stores", "retailer", "CBE-RSP", "", "WH-CBE", "30000.00", 15, "0.00", "+91-98430-20201", "active", "Ganapathy S", "11.0090", "76.9500", "A"),
    ("R-CBE-202", "Kovai Bakes", "retailer", "CBE-GAN", "", "WH-CBE", "25000.00", 15, "12000.00", "+91-98430-20202", "active", "Mohan Raj", "11.0180", "76.9670", "B"),
    ("R-CBE-203", "Annapoorna Mini Mart", "retailer", "CBE-GAN", "", "WH-CBE", "35000.00", 15, "0.00", "+91-98430-20203", "active", "Vasanthi", "11.0175", "76.9690", "B"),
    ("R-CBE-204", "Thangam Stores", "retailer", "CBE-RSP", "", "WH-CBE", "15000.00", 7, "6400.00", "+91-98430-20204", "blocked", "Thangaraj", "11.0100", "76.9480", "C"),
    ("R-MDU-301", "Meenakshi Stores", "retailer", "MDU-SIM", "", "WH-CBE", "20000.00", 15, "0.00", "+91-98420-30301", "active", "Meenakshi Sundaram", "9.9260", "78.1190", "B"),
    ("R-MDU-302", "Pandian Bakery", "retailer", "MDU-SIM", "", "WH-CBE", "20000.00", 15, "0.00", "+91-98420-30302", "active", "Pandian", "9.9240", "78.1210", "C"),
    ("R-KOC-401", "Edappally Supermart", "retailer", "KOC-EDA", "D-KOC", "WH-KOC", "60000.00", 15, "0.00", "+91-98470-40401", "active", "Shaji Varghese", "10.0261", "76.3125", "A"),
    ("R-KOC-402", "St. Mary's Bakery", "retailer", "KOC-FTK", "D-KOC", "WH-KOC", "20000.00", 15, "0.00", "+91-98470-40402", "active", "Mary Joseph", "9.9658", "76.2421", "B"),
    ("R-KOC-403", "Fort Kochi Cool Bar", "retailer", "KOC-FTK", "D-KOC", "WH-KOC", "15000.00", 7, "8000.00", "+91-98470-40403", "active", "Anwar", "9.9640", "76.2430", "C"),
    ("R-KOC-404", "Joseph and Sons Stores", "retailer", "KOC-EDA", "D-KOC", "WH-KOC", "40000.00", 15, "0.00", "+91-98470-40404", "active", "Joseph Mathew", "10.0270", "76.3090", "B"),
    ("R-TVM-501", "Pattom Fresh Store", "retailer", "TVM-PAT", "", "WH-KOC", "30000.00", 15, "0.00", "+91-98950-50501", "active", "Sreeja", "8.5200", "76.9400", "B"),
    ("R-TVM-502", "Sreekumar Stores", "retailer", "TVM-PAT", "", "WH-KOC", "15000.00", 7, "0.00", "+91-98950-50502", "active", "Sreekumar", "8.5230", "76.9420", "C"),
]
CUST = {c[0]: c for c in CUSTOMERS}

USERS = [
    ("U-ADMIN", "Revathi Krishnan", "admin", "", "", "", "SADM0001", "", "revathi@malarfoods.example"),
    ("U-MGR-TN", "Senthil Kumar", "manager", "", "TN", "U-ADMIN", "SMGR0001", "810001", "senthil@malarfoods.example"),
    ("U-MGR-KL", "Anitha Varghese", "manager", "", "KL", "U-ADMIN", "SMGR0002", "810002", "anitha@malarfoods.example"),
    ("U-REP-KARTHIK", "Karthik Raja", "sales_rep", "", "CHN-ANN|CHN-TNG", "U-MGR-TN", "SREP0001", "820001", "karthik@malarfoods.example"),
    ("U-REP-DIVYA", "Divya Shankar", "sales_rep", "", "CHN-VEL|MDU", "U-MGR-TN", "SREP0002", "820002", "divya@malarfoods.example"),
    ("U-REP-PRAKASH", "Prakash Murugan", "sales_rep", "", "CBE", "U-MGR-TN", "", "820003", "prakash@malarfoods.example"),
    ("U-REP-JITHIN", "Jithin Thomas", "sales_rep", "", "KOC", "U-MGR-KL", "SREP0004", "820004", "jithin@malarfoods.example"),
    ("U-REP-ASWATHY", "Aswathy Nair", "sales_rep", "", "TVM", "U-MGR-KL", "", "820005", "aswathy@malarfoods.example"),
    ("U-WH-CHN", "Murali Dharan", "warehouse", "", "CHN", "U-MGR-TN", "SWH00001", "", "murali@malarfoods.example"),
    ("U-WH-CBE", "Ramesh Babu", "warehouse", "", "CBE", "U-MGR-TN", "", "830002", "ramesh@malarfoods.example"),
    ("U-WH-KOC", "Biju Paul", "warehouse", "", "KOC", "U-MGR-KL", "SWH00003", "", "biju@malarfoods.example"),
    ("U-DIST-CHN", "Sundaram P", "distributor", "D-CHN", "", "", "SDIS0001", "840001", "sundaram@srimurugan.example"),
    ("U-DIST-KOC", "George Kurian", "distributor", "D-KOC", "", "", "", "840002", "george@periyartraders.example"),
    ("U-RET-SELVI", "Selvi M", "retailer", "R-CHN-101", "", "", "", "850101", ""),
    ("U-RET-BALAJI", "Balaji R", "retailer", "R-CHN-102", "", "", "", "850102", ""),
    ("U-RET-LAKSHMI", "Lakshmi N", "retailer", "R-CHN-103", "", "", "", "850103", ""),
    ("U-RET-KUMARAN", "Kumaran", "retailer", "R-CHN-106", "", "", "", "850106", ""),
    ("U-RET-KOVAI", "Mohan Raj", "retailer", "R-CBE-202", "", "", "", "850202", ""),
    ("U-RET-THANGAM", "Thangaraj", "retailer", "R-CBE-204", "", "", "", "850204", ""),
    ("U-RET-MARY", "Mary Joseph", "retailer", "R-KOC-402", "", "", "", "850402", ""),
    ("U-RET-EDAPPALLY", "Shaji Varghese", "retailer", "R-KOC-401", "", "", "", "850401", ""),
    ("U-RET-KONGU", "Palanisamy K", "retailer", "W-CBE-01", "", "", "", "850901", ""),
]

# prices: sku, price, customer_type, region, customer, valid_from, valid_to
def build_prices():
    rows = []
    for s in SKUS:
        code, price = s[0], Decimal(s[6])
        if code == "NL-WATR-20L":
            # only sold in Chennai
            rows.append((code, "60.00", "", "CHN", "", "2026-01-01", ""))
            continue
        if code == "TH-TEA-250":
            rows.append((code, "110.00", "", "", "", "2026-01-01", "2026-10-31"))
            rows.append((code, "115.00", "", "", "", "2026-11-01", ""))
        else:
            rows.append((code, f"{price:.2f}", "", "", "", "2026-01-01", ""))
        # distributor price ~8% below (on the current default)
        rows.append((code, f"{q2(price * Decimal('0.92')):.2f}", "distributor", "", "", "2026-01-01", ""))
    # wholesaler prices for biscuits
    for code in ["MB-CHOC-75", "MB-GLU-60", "MB-MARI-120", "MB-ORNG-75"]:
        p = Decimal(SKU[code][6])
        rows.append((code, f"{q2(p * Decimal('0.95')):.2f}", "wholesaler", "", "", "2026-01-01", ""))
    # region prices: Kerala cheaper banana chips & tender coconut, Kochi even cheaper tender coconut
    rows.append(("CR-BANA-100", "34.00", "", "KL", "", "2026-01-01", ""))
    rows.append(("CR-BANA-250", "80.00", "", "KL", "", "2026-01-01", ""))
    rows.append(("KV-TEND-200", "27.50", "", "KL", "", "2026-01-01", ""))
    rows.append(("KV-TEND-200", "26.50", "", "KOC", "", "2026-01-01", ""))
    rows.append(("MS-MIXT-200", "40.00", "", "TN", "", "2026-01-01", ""))
    # customer-specific: FreshBasket
    rows.append(("MB-CHOC-75", "7.90", "", "", "M-CHN-01", "2026-01-01", ""))
    rows.append(("NL-MANGO-1L", "54.00", "", "", "M-CHN-01", "2026-01-01", ""))
    rows.append(("TH-COF-200", "128.00", "", "", "R-CBE-201", "2026-09-01", ""))
    return rows


SCHEMES_H = ["code", "name", "kind", "sku", "product", "brand", "category", "customer_type", "region", "min_qty", "unit", "min_value", "discount_pct", "discount_flat", "free_sku", "free_qty", "free_unit", "recursive", "valid_from", "valid_to", "priority", "stackable"]
SCHEMES = [
    dict(code="SCH-CHOC-5P1", name="Choco Cream 75g: buy 5 boxes get 1 box free", kind="free_goods", sku="MB-CHOC-75", min_qty=5, unit="BOX", free_qty=1, free_unit="BOX", recursive="true", valid_from="2026-11-01", valid_to="2026-12-31"),
    dict(code="SCH-CRISPO-200", name="Crispo: 5% off 200 pcs or more", kind="volume", brand="CRISPO", min_qty=200, discount_pct="5", valid_from="2026-11-01", valid_to="2026-12-31", priority=1),
    dict(code="SCH-CRISPO-500", name="Crispo: 8% off 500 pcs or more", kind="volume", brand="CRISPO", min_qty=500, discount_pct="8", valid_from="2026-11-01", valid_to="2026-12-31", priority=2),
    dict(code="SCH-TEA-CASE", name="Theni Dust Tea 250g: 4% off a full case", kind="volume", sku="TH-TEA-250", min_qty=1, unit="CASE", discount_pct="4", valid_from="2026-11-01", valid_to="2026-12-31"),
    dict(code="SCH-BEV-5K", name="Retailers: 2% off beverages worth Rs 5000 or more", kind="value", category="BEVERAGES", customer_type="retailer", min_value="5000.00", discount_pct="2", valid_from="2026-11-01", valid_to="2026-12-31"),
    dict(code="SCH-KL-BANANA", name="Kerala: banana chips 100g, 5 boxes get 5 packets free", kind="free_goods", sku="CR-BANA-100", region="KL", min_qty=5, unit="BOX", free_qty=5, recursive="true", valid_from="2026-11-01", valid_to="2026-12-31"),
    dict(code="SCH-SODA-GOLI", name="Jeera Soda: 5 crates get 1 crate Goli Soda free", kind="free_goods", sku="NL-SODA-600", min_qty=5, unit="CRATE", free_sku="NL-GOLI-250", free_qty=1, free_unit="CRATE", recursive="false", valid_from="2026-11-01", valid_to="2026-12-31"),
    dict(code="SCH-BIS-BULK", name="Biscuits: 3% off 480 pcs or more", kind="volume", category="BISCUITS", min_qty=480, discount_pct="3", valid_from="2026-11-01", valid_to="2026-12-31", stackable="true"),
    dict(code="SCH-WS-BIS", name="Wholesalers: extra 1.5% off biscuits", kind="volume", category="BISCUITS", customer_type="wholesaler", min_qty=1, discount_pct="1.5", valid_from="2026-11-01", valid_to="2026-12-31", stackable="true"),
    dict(code="SCH-ONAM", name="Onam: 3% off orders above Rs 3000 in Kerala", kind="value", region="KL", min_value="3000.00", discount_pct="3", valid_from="2026-08-20", valid_to="2026-09-15"),
    dict(code="SCH-DEEPAVALI", name="Deepavali: 2% off orders of Rs 2000 or more", kind="value", min_value="2000.00", discount_pct="2", valid_from="2026-10-15", valid_to="2026-11-10", priority=1),
]

APPROVAL_RULES = [
    ("AR-BIG", "order_total_over", "150000.00", "manager", 24, "admin"),
    ("AR-CREDIT", "credit_limit_exceeded", "", "manager", 24, "admin"),
    ("AR-DISC", "discount_over_pct", "12", "manager", "", ""),
    ("AR-NEWOUTLET", "customer_pending", "", "admin", "", ""),
]

# beats: code, name, rep, weekday, customers
BEATS = [
    ("BT-ANN-FRI", "Anna Nagar Friday", "U-REP-KARTHIK", "fri", "R-CHN-101|R-CHN-107|R-CHN-102"),
    ("BT-TNG-MON", "T. Nagar Monday", "U-REP-KARTHIK", "mon", "R-CHN-103|R-CHN-104"),
    ("BT-VEL-TUE", "Velachery Tuesday", "U-REP-DIVYA", "tue", "M-CHN-01|R-CHN-105|R-CHN-106"),
    ("BT-MDU-FRI", "Madurai Friday", "U-REP-DIVYA", "fri", "W-MDU-01|R-MDU-301|R-MDU-302"),
    ("BT-CBE-FRI", "Coimbatore Friday", "U-REP-PRAKASH", "fri", "R-CBE-201|R-CBE-202|R-CBE-203"),
    ("BT-CBE-WED", "Coimbatore Wednesday", "U-REP-PRAKASH", "wed", "W-CBE-01|R-CBE-204"),
    ("BT-KOC-FRI", "Kochi Friday", "U-REP-JITHIN", "fri", "R-KOC-401|R-KOC-404|R-KOC-402|R-KOC-403"),
    ("BT-TVM-THU", "Pattom Thursday", "U-REP-ASWATHY", "thu", "W-TVM-01|R-TVM-501|R-TVM-502"),
]

TARGETS = [
    ("2026-10", "U-REP-KARTHIK", "", "120000.00"),
    ("2026-11", "U-REP-KARTHIK", "", "130000.00"),
    ("2026-10", "U-REP-DIVYA", "", "150000.00"),
    ("2026-11", "U-REP-DIVYA", "", "160000.00"),
    ("2026-10", "U-REP-PRAKASH", "", "150000.00"),
    ("2026-11", "U-REP-PRAKASH", "", "150000.00"),
    ("2026-10", "U-REP-JITHIN", "", "120000.00"),
    ("2026-11", "U-REP-JITHIN", "", "125000.00"),
    ("2026-11", "U-REP-ASWATHY", "", "100000.00"),
    ("2026-10", "", "D-CHN", "400000.00"),
    ("2026-11", "", "D-CHN", "450000.00"),
    ("2026-10", "", "D-KOC", "300000.00"),
    ("2026-11", "", "D-KOC", "320000.00"),
]


def rep_for(cust):
    reg = CUST[cust][3]
    chain = []
    r = reg
    parent = {x[0]: x[2] for x in REGIONS}
    while r:
        chain.append(r)
        r = parent[r]
    for u in USERS:
        if u[2] == "sales_rep" and any(x in chain for x in u[4].split("|")):
            return u[0]
    return "U-ADMIN"


def main():
    os.makedirs(OUT, exist_ok=True)
    import sys
    sys.path.insert(0, HERE)
    write("brands.csv", ["code", "name", "parent"], BRANDS)
    write("categories.csv", ["code", "name", "parent"], CATS)
    write("products.csv", ["code", "name", "brand", "category"], PRODUCTS)
    barcode = 8906011000000
    rows = []
    for i, s in enumerate(SKUS):
        rows.append((s[0], s[1], s[2], s[3], s[4], s[5], s[7], s[8], s[9], str(barcode + i * 7)))
    write("skus.csv", ["code", "product", "name", "units", "tax_rate", "mrp", "allocation", "reorder_level", "aliases", "barcode"], rows)
    write("regions.csv", ["code", "name", "parent", "level"], REGIONS)
    write("warehouses.csv", ["code", "name", "region", "owner"], WAREHOUSES)
    write("customers.csv", ["code", "name", "type", "region", "distributor", "warehouse", "credit_limit", "payment_terms_days", "opening_balance", "phone", "status", "contact_person", "latitude", "longitude", "class"], CUSTOMERS)
    write("users.csv", ["id", "name", "role", "customer", "regions", "reports_to", "slack_id", "telegram_id", "email"], USERS)
    prices = build_prices()
    write("prices.csv", ["sku", "price", "customer_type", "region", "customer", "valid_from", "valid_to"], prices)
    write("schemes.csv", SCHEMES_H, [[s.get(h, "") for h in SCHEMES_H] for s in SCHEMES])
    write("approval_rules.csv", ["code", "when", "threshold", "approver_role", "escalate_after_hours", "escalate_to_role"], APPROVAL_RULES)
    write("beats.csv", ["code", "name", "sales_rep", "weekday", "customers"], BEATS)
    write("targets.csv", ["month", "user", "customer", "target"], TARGETS)

    # ---------------- order history ----------------
    import calc  # price resolution shared with the calculator (pure rules.md)
    world_prices = prices
    parent = {x[0]: x[2] for x in REGIONS}
    rng = random.Random(6006)
    orders, lines = [], []
    # per-customer ordering frequency (orders over the 92 days) and typical SKU sets
    profile = {
        "D-CHN": (9, ["MB-CHOC-75", "MB-GLU-60", "CR-MASL-50", "CR-SALT-50", "TH-TEA-250", "NL-MANGO-200", "MS-MIXT-200", "TH-COF-200", "NL-SODA-600", "MB-MARI-120"], (4, 12)),
        "D-KOC": (8, ["CR-BANA-100", "KV-TEND-200", "MB-CHOC-75", "TH-TEA-1K", "KV-CMLK-400", "MB-GLU-60", "NL-LEMN-500", "MB-COCO-100"], (4, 12)),
        "W-CBE-01": (6, ["MB-GLU-60", "MB-MARI-120", "MB-CHOC-75", "CR-SALT-50", "MS-MURU-150", "TH-COF-500"], (3, 10)),
        "W-MDU-01": (4, ["MB-GLU-60", "MS-MIXT-200", "NL-GOLI-250", "TH-TEA-250"], (3, 8)),
        "W-TVM-01": (5, ["CR-BANA-250", "KV-TEND-1L", "MB-CHOC-150", "TH-TEA-1K", "NL-WATR-1L"], (3, 8)),
        "M-CHN-01": (5, ["MB-CHOC-75", "NL-MANGO-1L", "TH-COF-200", "MB-BUTR-100", "CR-PERI-50", "MB-CASH-200"], (2, 6)),
        "R-CHN-101": (5, ["MB-CHOC-75", "MB-GLU-60", "CR-MASL-50", "NL-GOLI-250"], (1, 3)),
        "R-CHN-102": (4, ["MB-MARI-120", "TH-TEA-250", "MS-MURU-150", "NL-MANGO-200"], (1, 3)),
        "R-CHN-103": (3, ["MB-BUTR-100", "NL-SODA-600", "MB-CHOC-150"], (1, 2)),
        "R-CHN-104": (4, ["TH-COF-200", "MB-CASH-200", "CR-TOMA-50", "NL-WATR-1L"], (1, 3)),
        "R-CHN-105": (3, ["MB-GLU-250", "CR-SALT-50", "NL-GUAV-200"], (1, 3)),
        "R-CHN-107": (3, ["MB-BUTR-100", "MB-COCO-100", "TH-INST-50"], (1, 2)),
        "R-CBE-201": (4, ["TH-COF-200", "MB-GLU-60", "MS-PEAN-100", "CR-MASL-150"], (1, 3)),
        "R-CBE-202": (3, ["MB-BUTR-100", "MB-CASH-200", "MB-SALT-100"], (1, 3)),
        "R-CBE-203": (4, ["MB-MARI-120", "CR-MASL-50", "NL-LEMN-500", "TH-TEA-BAG"], (1, 3)),
        "R-MDU-301": (3, ["MB-GLU-60", "MS-MIXT-200", "NL-GOLI-250"], (1, 3)),
        "R-MDU-302": (2, ["MB-CHOC-150", "MS-RIBB-200"], (1, 2)),
        "R-KOC-401": (4, ["CR-BANA-100", "KV-TEND-200", "TH-TEA-BAG", "MB-CHOC-300"], (1, 3)),
        "R-KOC-402": (3, ["MB-BUTR-100", "KV-CMLK-400", "MB-COCO-100"], (1, 2)),
        "R-KOC-403": (3, ["NL-LEMN-500", "NL-SODA-600", "KV-TEND-200"], (1, 2)),
        "R-KOC-404": (3, ["CR-BANA-250", "TH-GRN-100", "MB-ORNG-75"], (1, 3)),
        "R-TVM-501": (3, ["KV-TEND-1L", "MB-GLU-250", "CR-PERI-50"], (1, 2)),
        "R-TVM-502": (2, ["TH-TEA-250", "MB-GLU-60"], (1, 2)),
        "R-CBE-204": (1, ["MB-GLU-60", "MS-PEAN-100"], (1, 2)),
    }
    # SKUs that confirmed orders may use (stock queries in scenarios avoid others' reservations)
    start = date(2026, 8, 20)
    events = []
    for cust, (n, skus, (lo, hi)) in profile.items():
        for i in range(n):
            day = start + timedelta(days=rng.randrange(0, 91))  # up to 2026-11-19
            events.append((day, cust, skus, lo, hi))
    events.sort(key=lambda e: (e[0], e[1]))
    no = 1001
    retailer_users = {u[3]: u[0] for u in USERS if u[2] in ("retailer", "distributor")}
    for day, cust, skus, lo, hi in events:
        hh = rng.choice([9, 10, 11, 12, 14, 15, 16, 17])
        mm = rng.choice([0, 5, 15, 20, 30, 40, 45, 50])
        ts = datetime(day.year, day.month, day.day, hh, mm)
        # status
        age = (NOW - day).days
        r = rng.random()
        if age > 20:
            status = "cancelled" if r < 0.08 else "delivered"
        elif age > 7:
            status = "cancelled" if r < 0.08 else ("dispatched" if r < 0.35 else "delivered")
        else:
            status = "cancelled" if r < 0.1 else ("confirmed" if r < 0.6 else "dispatched")
        if cust == "R-CBE-204":
            status = "delivered"
            day = date(2026, 8, 28)
            ts = datetime(2026, 8, 28, 11, 0)
        by = rep_for(cust) if rng.random() < 0.65 or cust not in retailer_users else retailer_users[cust]
        k = rng.randint(1, min(4, len(skus)))
        chosen = rng.sample(skus, k)
        olines = []
        for sku in chosen:
            units = SKU[sku][3].split("|")
            big = units[-1].split("=")
            mid = units[1].split("=") if len(units) > 1 else units[0].split("=")
            if CUST[cust][2] in ("distributor", "wholesaler"):
                qty = int(big[1]) * rng.randint(lo, hi) if len(units) > 1 else rng.randint(10, 40)
            else:
                qty = int(mid[1]) * rng.randint(lo * 2, hi * 3) if len(units) > 1 else rng.randint(5, 20)
            price = calc.resolve_price(world_prices, sku, {'code': cust, 'type': CUST[cust][2], 'region': CUST[cust][3]}, day, parent)
            if price is None:
                continue
            gross = q2(price * qty)
            disc = Decimal("0.00")
            free = 0
            if sku.startswith("CR-") and qty >= 200 and day >= date(2026, 11, 1):
                disc = q2(gross * Decimal("0.05"))
            if sku == "MB-CHOC-75" and day >= date(2026, 11, 1):
                free = (qty // 60) * 12
            olines.append((sku, qty, f"{price:.2f}", f"{disc:.2f}", free))
        if not olines:
            continue
        order_no = f"SO-{no}"
        no += 1
        orders.append((order_no, cust, CUST[cust][5], ts.strftime("%Y-%m-%dT%H:%M:00+05:30"), status, by))
        for l in olines:
            lines.append((order_no,) + l)
    write("orders.csv", ["order_no", "customer", "warehouse", "created_at", "status", "created_by"], orders)
    write("order_lines.csv", ["order_no", "sku", "qty", "unit_price", "discount", "free_qty"], lines)

    # ---------------- stock ----------------
    # compute reservations of confirmed orders per (wh, sku) so stock covers them
    reserve = {}
    for o in orders:
        if o[4] == "confirmed":
            for l in lines:
                if l[0] == o[0]:
                    reserve[(o[2], l[1])] = reserve.get((o[2], l[1]), 0) + l[2] + l[5]
    stock = []
    special = {
        # (wh, sku): list of (batch, qty, mfg, expiry, received, status)
        ("WH-CHN", "MB-GLU-60"): [("GL60-C2606", 400, "2026-06-10", "2026-12-05", "2026-06-20", "available"), ("GL60-C2609", 3000, "2026-09-05", "2027-03-05", "2026-09-12", "available")],
        ("WH-CHN", "NL-MANGO-200"): [("MG200-C2605", 144, "2026-05-20", "2026-11-15", "2026-05-28", "available"), ("MG200-C2608", 1080, "2026-08-10", "2026-12-10", "2026-08-18", "available"), ("MG200-C2610", 1440, "2026-10-10", "2027-02-10", "2026-10-16", "available")],
        ("WH-CHN", "NL-SODA-600"): [("JS-C2610", 480, "2026-10-01", "2027-01-01", "2026-10-05", "available"), ("JS-C2610", 24, "2026-10-01", "2027-01-01", "2026-10-05", "damaged")],
        ("WH-CHN", "NL-GOLI-250"): [("GS-C2609", 78, "2026-09-01", "2026-12-30", "2026-09-08", "available")],
        ("WH-CHN", "TH-INST-50"): [("TI-C2607", 36, "2026-07-01", "2027-07-01", "2026-07-10", "available")],
        ("WH-CHN", "MB-CASH-200"): [("CS-C2609", 30, "2026-09-01", "2027-03-01", "2026-09-10", "available")],
        ("WH-CBE", "MS-PEAN-100"): [("PN-B2606", 48, "2026-06-01", "2026-11-30", "2026-06-10", "available"), ("PN-B2610", 480, "2026-10-01", "2027-04-01", "2026-10-08", "available")],
        ("WH-CBE", "TH-COF-500"): [("FC5-B2609", 18, "2026-09-01", "2027-09-01", "2026-09-10", "available")],
        ("WH-CBE", "CR-MASL-150"): [("CM150-B2610", 140, "2026-10-01", "2027-01-15", "2026-10-06", "available")],
        ("WH-KOC", "KV-TEND-200"): [("TC-K2608", 240, "2026-08-15", "2026-11-25", "2026-08-20", "available"), ("TC-K2610", 1200, "2026-10-15", "2027-01-15", "2026-10-20", "available")],
        ("WH-KOC", "CR-BANA-100"): [("BC-K2610", 600, "2026-10-01", "2027-01-01", "2026-10-04", "available"), ("BC-K2611", 500, "2026-11-02", "2027-02-02", "2026-11-05", "available")],
        ("WH-KOC", "KV-CMLK-400"): [("CMK-K2609", 40, "2026-09-01", "2027-09-01", "2026-09-10", "available")],
        ("WH-KOC", "TH-GRN-100"): [("GT-K2608", 12, "2026-08-01", "2027-08-01", "2026-08-10", "available")],
    }
    # base assortment per warehouse
    assort = {
        "WH-CHN": [s[0] for s in SKUS if s[0] not in ("CR-BANA-250", "KV-TEND-1L", "TH-GRN-100")],
        "WH-CBE": [s[0] for s in SKUS if s[0] not in ("NL-WATR-20L", "KV-TEND-1L", "KV-CMLK-400", "CR-BANA-250")],
        "WH-KOC": [s[0] for s in SKUS if s[0] not in ("NL-WATR-20L", "MS-RIBB-200")],
    }
    tag = {"WH-CHN": "C", "WH-CBE": "B", "WH-KOC": "K"}
    for wh, skus in assort.items():
        for sku in skus:
            key = (wh, sku)
            if key in special:
                batches = special[key]
            else:
                f = int(SKU[sku][3].split("|")[-1].split("=")[1])
                base = max(f * rng.randint(6, 20), SKU[sku][8] * 3)
                need = reserve.get(key, 0)
                base = max(base, need + SKU[sku][8] + f * 2)
                short = sku.replace("-", "")[:6]
                expiry = "" if sku == "NL-WATR-20L" else "2027-0%d-15" % rng.randint(3, 9)
                batches = [(f"{short}-{tag[wh]}2610", base, "2026-10-01", expiry, "2026-10-07", "available")]
            for b in batches:
                stock.append((wh, sku) + b)
    # confirmed orders must be coverable by special batches too
    for key, need in reserve.items():
        if key in special:
            have = sum(b[1] for b in special[key] if b[5] == "available" and (not b[3] or b[3] >= NOW.isoformat()))
            if have < need: print("SHORT", key, have, need)
    write("stock.csv", ["warehouse", "sku", "batch", "qty", "mfg_date", "expiry_date", "received_on", "status"], stock)

    # ---------------- payments ----------------
    # pay most of each customer's invoices older than terms, leave some overdue
    inv_totals = calc.order_totals(lines, {s[0]: s[4] for s in SKUS})
    pay = []
    methods = ["upi", "bank_transfer", "cheque", "cash"]
    leave_unpaid = {"W-MDU-01", "R-CBE-202", "R-KOC-403", "R-CHN-103", "D-KOC"}
    ref_n = 7001
    for cust in CUST:
        invs = sorted([(o[3][:10], o[0], inv_totals[o[0]]) for o in orders if o[1] == cust and o[4] in ("dispatched", "delivered")])
        opening = Decimal(CUST[cust][8])
        terms = CUST[cust][7]
        paid_pool = []
        if opening > 0 and cust not in leave_unpaid:
            paid_pool.append(("2026-09-10", opening))
        for d_, on, amt in invs:
            due = date.fromisoformat(d_) + timedelta(days=terms)
            if cust in leave_unpaid and due < date(2026, 10, 15):
                # pay only half of old invoices
                if rng.random() < 0.5:
                    paid_pool.append(((due + timedelta(days=5)).isoformat(), q2(amt / 2)))
                continue
            if due + timedelta(days=3) < NOW and rng.random() < 0.85:
                paid_pool.append(((due + timedelta(days=rng.randint(-5, 3))).isoformat(), amt))
        # merge into round payments grouped by date
        for d_, amt in paid_pool:
            if date.fromisoformat(d_) >= NOW:
                continue
            m = rng.choice(methods if CUST[cust][2] != "distributor" else ["bank_transfer", "cheque"])
            ref = {"upi": "UPI", "bank_transfer": "NEFT", "cheque": "CHQ", "cash": "RCPT"}[m] + f"-{ref_n}"
            ref_n += 1
            pay.append((cust, f"{amt:.2f}", d_, m, ref))
    pay.sort(key=lambda p: (p[2], p[0]))
    write("payments.csv", ["customer", "amount", "paid_on", "method", "reference"], pay)

    # ---------------- attendance & visits ----------------
    att, visits = [], []
    vid = 1
    beats_by_rep = {}
    for b in BEATS:
        beats_by_rep.setdefault(b[2], []).append(b)
    wd = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for day in (NOW - timedelta(days=i) for i in range(14, 0, -1)):
        for rep, bts in beats_by_rep.items():
            todays = [b for b in bts if b[3] == wd[day.weekday()]]
            if not todays or rng.random() < 0.1:
                continue
            c0 = CUST[todays[0][4].split("|")[0]]
            att.append((rep, f"{day}T09:{rng.randint(0, 40):02d}:00+05:30", f"{day}T18:{rng.randint(0, 50):02d}:00+05:30", c0[12], c0[13]))
            t = 10
            for b in todays:
                for c in b[4].split("|"):
                    if rng.random() < 0.2:
                        continue
                    cc = CUST[c]
                    # linked order if the customer ordered that day
                    oday = [o for o in orders if o[1] == c and o[3][:10] == day.isoformat() and o[4] != "cancelled"]
                    if oday:
                        outcome, reason, ono = "order", "", oday[0][0]
                    else:
                        outcome = "no_order"
                        reason = rng.choice(["stock_sufficient", "shop_closed", "owner_absent", "credit_issue", "competitor"])
                        ono = ""
                    visits.append((f"V-{vid:04d}", rep, c, f"{day}T{t:02d}:00:00+05:30", f"{day}T{t:02d}:20:00+05:30", outcome, reason, ono, cc[12], cc[13], ""))
                    vid += 1
                    t += 1
    write("attendance.csv", ["user", "check_in", "check_out", "latitude", "longitude"], att)
    write("visits.csv", ["id", "user", "customer", "started_at", "ended_at", "outcome", "reason", "order_no", "latitude", "longitude", "notes"], visits)

    # knowledge
    os.makedirs(os.path.join(OUT, "knowledge"), exist_ok=True)
    with open(os.path.join(OUT, "knowledge", "returns-and-expiry.md"), "w") as f:
        f.write("# Returns and near-expiry stock\n\nRetailers may return packs damaged in transit within 48 hours of delivery, with a photo. "
                "Near-expiry biscuits and beverages (less than 30 days of shelf life left) are taken back only against a replacement of the same brand; "
                "no cash refunds. Soda crates and glass bottles carry a deposit of Rs 150 per crate, refunded when the crate is returned.\n")
    with open(os.path.join(OUT, "knowledge", "delivery-and-credit.md"), "w") as f:
        f.write("# Delivery schedule and credit\n\nChennai orders confirmed before 2 pm are delivered the next working day; Coimbatore and Madurai within 2 working days; "
                "Kochi and Thiruvananthapuram within 3 working days. Minimum order value for free delivery is Rs 1500. "
                "Cheques that bounce attract a charge of Rs 500 and the outlet is moved to cash on delivery for 60 days.\n")
    print("orders", len(orders), "lines", len(lines), "payments", len(pay), "stock rows", len(stock), "visits", len(visits))


if __name__ == "__main__":
    main()
