"""Writes the held-out world (personal & home care FMCG, Gujarat + Maharashtra) as CSV.
Also importable: the data structures are used by calc.py to compute expected figures."""
import csv, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "world")
# FULL=1 also writes the field-work parts of world.md (attendance, visits, targets and the
# outlet columns of customers.csv) into world-full/; the project at 7756812 (and at the time
# of writing) rejects them as unknown, so the evaluated world leaves them out.
FULL = os.environ.get("FULL") == "1"
if FULL:
    OUT = os.path.join(HERE, "..", "world-full")

brands = [
    ("SHUBHRA", "Shubhra Home Care", ""),
    ("SHUBHRA-DW", "Shubhra Dishwash", "SHUBHRA"),
    ("SHUBHRA-SURF", "Shubhra Surface Care", "SHUBHRA"),
    ("KLEENZ", "Kleenz", ""),
    ("SAFEDI", "Safedi", ""),
    ("KESAR", "Kesar Naturals", ""),
    ("KESAR-HAIR", "Kesar Hair Care", "KESAR"),
    ("DANTVEER", "Dantveer", ""),
    ("GLOWA", "Glowa", ""),
    ("SUGANDH", "Sugandh", ""),
    ("RAATRANI", "Raatrani", ""),
]
categories = [
    ("HOME", "Home Care", ""),
    ("DISHWASH", "Dishwash", "HOME"),
    ("FLOOR", "Floor & Toilet Cleaners", "HOME"),
    ("FABRIC", "Fabric Care", "HOME"),
    ("PEST", "Mosquito Repellents", "HOME"),
    ("PERSONAL", "Personal Care", ""),
    ("HAIR", "Hair Care", "PERSONAL"),
    ("ORAL", "Oral Care", "PERSONAL"),
    ("SKIN", "Skin Care", "PERSONAL"),
    ("BATH", "Soaps & Hand Wash", "PERSONAL"),
]
products = [
    ("DW-BAR", "Shubhra Dishwash Bar", "SHUBHRA-DW", "DISHWASH"),
    ("DW-GEL", "Shubhra Dishwash Gel", "SHUBHRA-DW", "DISHWASH"),
    ("FLOOR-CLN", "Shubhra Floor Cleaner", "SHUBHRA-SURF", "FLOOR"),
    ("TOILET-CLN", "Kleenz Toilet Cleaner", "KLEENZ", "FLOOR"),
    ("DET-POWDER", "Safedi Detergent Powder", "SAFEDI", "FABRIC"),
    ("DET-LIQUID", "Safedi Liquid Detergent", "SAFEDI", "FABRIC"),
    ("AMLA-OIL", "Kesar Amla Hair Oil", "KESAR-HAIR", "HAIR"),
    ("HERBAL-SHAMPOO", "Kesar Herbal Shampoo", "KESAR-HAIR", "HAIR"),
    ("TOOTHPASTE", "Dantveer Toothpaste", "DANTVEER", "ORAL"),
    ("TOOTHBRUSH", "Dantveer Toothbrush", "DANTVEER", "ORAL"),
    ("FACE-WASH", "Glowa Neem Face Wash", "GLOWA", "SKIN"),
    ("COLD-CREAM", "Glowa Cold Cream", "GLOWA", "SKIN"),
    ("TALC", "Glowa Talc", "GLOWA", "SKIN"),
    ("SANDAL-SOAP", "Sugandh Sandal Soap", "SUGANDH", "BATH"),
    ("ROSE-SOAP", "Sugandh Rose Soap", "SUGANDH", "BATH"),
    ("HAND-WASH", "Kesar Hand Wash", "KESAR", "BATH"),
    ("MOSQ-COIL", "Raatrani Mosquito Coil", "RAATRANI", "PEST"),
    ("MOSQ-LIQ", "Raatrani Mosquito Liquid", "RAATRANI", "PEST"),
]
# code, product, name, units, tax, mrp, alloc, reorder, aliases, barcode, default price, distributor price
skus = [
    ("SDB-200", "DW-BAR", "Shubhra Dishwash Bar 200g", "PCS=1|BOX=24|CASE=96", 18, "25.00", "FIFO", 192, "dishwash bar|bartan bar|vim type bar", "8907000100011", "19.00", "16.50"),
    ("SDB-500", "DW-BAR", "Shubhra Dishwash Bar 500g", "PCS=1|BOX=12|CASE=48", 18, "55.00", "FIFO", 96, "big dishwash bar", "8907000100028", "42.00", "36.00"),
    ("SDG-250", "DW-GEL", "Shubhra Dishwash Gel 250ml", "PCS=1|CASE=48", 18, "60.00", "FEFO", 96, "dish gel small|dishwash liquid 250", "8907000100035", "45.00", "39.00"),
    ("SDG-750", "DW-GEL", "Shubhra Dishwash Gel 750ml", "PCS=1|CASE=24", 18, "155.00", "FEFO", 48, "dish gel big|dishwash liquid 750", "8907000100042", "118.00", "102.00"),
    ("SFC-500L", "FLOOR-CLN", "Shubhra Floor Cleaner Lime 500ml", "PCS=1|CASE=24", 18, "99.00", "FEFO", 48, "floor cleaner half litre|phenyl lime small", "8907000100059", "76.00", "66.00"),
    ("SFC-1LL", "FLOOR-CLN", "Shubhra Floor Cleaner Lime 1L", "PCS=1|CASE=12", 18, "185.00", "FEFO", 24, "lime floor cleaner 1 litre", "8907000100066", "142.00", "124.00"),
    ("SFC-1LR", "FLOOR-CLN", "Shubhra Floor Cleaner Rose 1L", "PCS=1|CASE=12", 18, "185.00", "FEFO", 24, "rose floor cleaner 1 litre", "8907000100073", "142.00", "124.00"),
    ("KTC-500", "TOILET-CLN", "Kleenz Toilet Cleaner 500ml", "PCS=1|CASE=24", 18, "95.00", "FEFO", 48, "toilet cleaner small", "8907000100080", "72.00", "62.00"),
    ("KTC-1L", "TOILET-CLN", "Kleenz Toilet Cleaner 1L", "PCS=1|CASE=12", 18, "175.00", "FEFO", 24, "toilet cleaner big", "8907000100097", "134.00", "116.00"),
    ("SAF-DP1K", "DET-POWDER", "Safedi Detergent Powder 1kg", "PCS=1|CASE=24", 18, "110.00", "FIFO", 96, "washing powder 1kg|surf 1 kilo", "8907000100103", "84.00", "73.00"),
    ("SAF-DP4K", "DET-POWDER", "Safedi Detergent Powder 4kg", "PCS=1|CASE=5", 18, "420.00", "FIFO", 10, "washing powder 4kg|family pack powder", "8907000100110", "325.00", "285.00"),
    ("SAF-LQ1L", "DET-LIQUID", "Safedi Liquid Detergent 1L", "PCS=1|CASE=12", 18, "220.00", "FEFO", 24, "liquid detergent|matic liquid", "8907000100127", "168.00", "146.00"),
    ("KHO-100", "AMLA-OIL", "Kesar Amla Hair Oil 100ml", "PCS=1|BOX=12|CASE=96", 18, "48.00", "FEFO", 96, "amla oil small|hair oil 100", "8907000100134", None, "31.00"),
    ("KHO-200", "AMLA-OIL", "Kesar Amla Hair Oil 200ml", "PCS=1|BOX=6|CASE=48", 18, "90.00", "FEFO", 48, "amla oil big|hair oil 200", "8907000100141", "68.00", "59.00"),
    ("KSH-180", "HERBAL-SHAMPOO", "Kesar Herbal Shampoo 180ml", "PCS=1|CASE=36", 18, "145.00", "FEFO", 36, "shampoo bottle", "8907000100158", "110.00", "96.00"),
    ("KSH-SCH", "HERBAL-SHAMPOO", "Kesar Herbal Shampoo Sachet 6ml", "PCS=1|STRIP=16|BOX=320|CASE=1920", 18, "2.00", "FEFO", 640, "shampoo sachet|shampoo pouch", "8907000100165", "1.50", "1.30"),
    ("KSH-650", "HERBAL-SHAMPOO", "Kesar Herbal Shampoo 650ml", "PCS=1|CASE=12", 18, "450.00", "FEFO", 0, "shampoo family pack", "8907000100172", None, "300.00"),
    ("DV-TP100", "TOOTHPASTE", "Dantveer Toothpaste 100g", "PCS=1|BOX=12|CASE=144", 18, "55.00", "FEFO", 144, "toothpaste small|paste 100", "8907000100189", "41.00", "35.50"),
    ("DV-TP200", "TOOTHPASTE", "Dantveer Toothpaste 200g", "PCS=1|BOX=6|CASE=72", 18, "105.00", "FEFO", 72, "toothpaste big|paste 200", "8907000100196", "79.00", "68.50"),
    ("DV-TB", "TOOTHBRUSH", "Dantveer Toothbrush Medium", "PCS=1|PACK=6|CASE=144", 18, "30.00", "FIFO", 72, "brush|toothbrush", "8907000100202", "22.00", "19.00"),
    ("GLW-FW50", "FACE-WASH", "Glowa Neem Face Wash 50g", "PCS=1|BOX=12|CASE=120", 18, "75.00", "FEFO", 60, "face wash small", "8907000100219", "56.00", "48.50"),
    ("GLW-FW100", "FACE-WASH", "Glowa Neem Face Wash 100g", "PCS=1|BOX=6|CASE=60", 18, "140.00", "FEFO", 30, "face wash big", "8907000100226", "105.00", "91.00"),
    ("GLW-CR", "COLD-CREAM", "Glowa Cold Cream 100ml", "PCS=1|CASE=48", 18, "120.00", "FEFO", 48, "cold cream|winter cream", "8907000100233", "90.00", "78.00"),
    ("GLW-TAL", "TALC", "Glowa Talc 300g", "PCS=1|CASE=36", 18, "165.00", "FEFO", 36, "powder talc|talcum", "8907000100240", None, "108.00"),
    ("SGD-SNDL", "SANDAL-SOAP", "Sugandh Sandal Soap 100g", "PCS=1|PACK=4|CASE=144", 18, "40.00", "FEFO", 144, "chandan soap 100", "8907000100257", "30.00", "26.00"),
    ("SGD-SNDL75", "SANDAL-SOAP", "Sugandh Sandal Soap 75g", "PCS=1|PACK=4|CASE=192", 18, "30.00", "FEFO", 96, "chandan soap 75", "8907000100264", "22.50", "19.50"),
    ("SGD-ROSE", "ROSE-SOAP", "Sugandh Rose Soap 100g", "PCS=1|PACK=4|CASE=144", 18, "38.00", "FEFO", 72, "gulab soap", "8907000100271", "28.50", "24.75"),
    ("KHW-200", "HAND-WASH", "Kesar Hand Wash 200ml", "PCS=1|CASE=48", 18, "99.00", "FEFO", 48, "handwash pump", "8907000100288", "74.00", "64.00"),
    ("KHW-REF", "HAND-WASH", "Kesar Hand Wash Refill 750ml", "PCS=1|CASE=12", 18, "199.00", "FEFO", 12, "handwash refill", "8907000100295", "150.00", "130.00"),
    ("RR-COIL", "MOSQ-COIL", "Raatrani Mosquito Coil 10pc", "PCS=1|CASE=60", 12, "45.00", "FIFO", 60, "machhar coil|coil", "8907000100301", "34.00", "29.50"),
    ("RR-LIQ", "MOSQ-LIQ", "Raatrani Mosquito Liquid Refill 45ml", "PCS=1|BOX=6|CASE=60", 18, "85.00", "FEFO", 60, "machhar liquid|mosquito refill", "8907000100318", "64.00", "55.50"),
]
# extra price rows: sku, price, customer_type, region, customer, valid_from, valid_to
extra_prices = [
    ("KHO-100", "36.00", "", "", "", "2026-01-01", "2026-12-31"),
    ("KHO-100", "38.00", "", "", "", "2027-01-01", ""),
    ("GLW-TAL", "124.00", "", "", "", "2026-01-01", ""),
    ("GLW-TAL", "119.00", "", "", "", "2026-12-01", ""),
    ("SAF-DP1K", "82.00", "", "MH", "", "2026-01-01", ""),
    ("SAF-DP1K", "81.00", "", "PUN", "", "2026-01-01", ""),
    ("KSH-180", "108.00", "", "GJ", "", "2026-01-01", ""),
    ("SDB-200", "17.50", "", "", "R-204", "2026-01-01", ""),
    ("DV-TP100", "38.00", "", "", "R-209", "2026-01-01", ""),
    ("SAF-LQ1L", "160.00", "modern_trade", "", "", "2026-01-01", ""),
    ("SDB-200", "17.80", "wholesaler", "", "", "2026-01-01", ""),
    ("SAF-DP1K", "78.00", "wholesaler", "", "", "2026-01-01", ""),
]
regions = [
    ("IN", "India", "", "country"),
    ("GJ", "Gujarat", "IN", "state"),
    ("AMD", "Ahmedabad", "GJ", "city"),
    ("AMD-E", "Ahmedabad East", "AMD", "area"),
    ("AMD-W", "Ahmedabad West", "AMD", "area"),
    ("SRT", "Surat", "GJ", "city"),
    ("VAD", "Vadodara", "GJ", "city"),
    ("MH", "Maharashtra", "IN", "state"),
    ("PUN", "Pune", "MH", "city"),
    ("PUN-K", "Pune Kothrud", "PUN", "area"),
    ("PUN-H", "Pune Hadapsar", "PUN", "area"),
    ("NSK", "Nashik", "MH", "city"),
]
warehouses = [
    ("WH-AMD", "Ahmedabad Main Godown", "AMD", "D-AMD"),
    ("WH-PUN", "Pune Warehouse", "PUN", "D-PUN"),
]
# code,name,type,region,distributor,warehouse,credit_limit,terms,opening,phone,status,contact,lat,lon,class
customers = [
    ("D-AMD", "Shree Ambika Distributors", "distributor", "AMD", "", "WH-AMD", "800000.00", 30, "0.00", "+91-79-2658-1100", "active", "Mahesh Patel", "23.0225", "72.5714", "A"),
    ("D-PUN", "Sahyadri Marketing", "distributor", "PUN", "", "WH-PUN", "600000.00", 30, "0.00", "+91-20-2553-2200", "active", "Vinay Joshi", "18.5204", "73.8567", "A"),
    ("R-201", "Patel Kirana Stores", "retailer", "AMD-E", "D-AMD", "WH-AMD", "25000.00", 15, "3200.00", "+91-98250-20101", "active", "Dilip Patel", "23.0300", "72.6100", "A"),
    ("R-202", "Jay Ambe General Store", "retailer", "AMD-W", "D-AMD", "WH-AMD", "30000.00", 15, "0.00", "+91-98250-20102", "active", "Kalpesh Soni", "23.0350", "72.5300", "B"),
    ("R-203", "Surat Cosmetics Centre", "retailer", "SRT", "D-AMD", "WH-AMD", "20000.00", 7, "9800.00", "+91-98250-20103", "active", "Farida Shaikh", "21.1702", "72.8311", "B"),
    ("R-204", "Vadodara Super Bazaar", "modern_trade", "VAD", "D-AMD", "WH-AMD", "250000.00", 30, "0.00", "+91-98250-20104", "active", "Rakesh Trivedi", "22.3072", "73.1812", "A"),
    ("R-205", "Navrang Medical & General", "retailer", "AMD-E", "D-AMD", "WH-AMD", "15000.00", 7, "0.00", "+91-98250-20105", "active", "Harshad Modi", "23.0280", "72.6200", "C"),
    ("R-206", "Krishna Provision Wholesale", "wholesaler", "AMD-W", "D-AMD", "WH-AMD", "150000.00", 21, "0.00", "+91-98250-20106", "active", "Bharat Thakkar", "23.0400", "72.5200", "A"),
    ("R-207", "Shivaji Kirana", "retailer", "PUN-K", "D-PUN", "WH-PUN", "20000.00", 15, "0.00", "+91-98220-30107", "active", "Sunil More", "18.5074", "73.8077", "B"),
    ("R-208", "Deshmukh Stores", "retailer", "NSK", "D-PUN", "WH-PUN", "15000.00", 7, "6400.00", "+91-98220-30108", "active", "Anil Deshmukh", "19.9975", "73.7898", "B"),
    ("R-209", "Om Sai Super Mart", "modern_trade", "PUN-H", "D-PUN", "WH-PUN", "200000.00", 30, "0.00", "+91-98220-30109", "active", "Prakash Shinde", "18.5089", "73.9260", "A"),
    ("R-210", "Laxmi Beauty Corner", "retailer", "PUN-K", "D-PUN", "WH-PUN", "10000.00", 7, "0.00", "+91-98220-30110", "pending", "Laxmi Gaikwad", "18.5100", "73.8100", "C"),
    ("R-211", "Mahalaxmi Traders", "retailer", "SRT", "D-AMD", "WH-AMD", "10000.00", 7, "5400.00", "+91-98250-20111", "blocked", "Jignesh Rana", "21.1900", "72.8400", "C"),
    ("R-212", "Ganpati General Stores", "retailer", "NSK", "D-PUN", "WH-PUN", "12000.00", 7, "0.00", "+91-98220-30112", "active", "Ganesh Wagh", "20.0059", "73.7900", "C"),
]
users = [
    ("U-ADM", "Nirav Mehta", "admin", "", "", "", "SADM0001", "", "nirav@ambika.example"),
    ("U-MGR-GJ", "Hetal Desai", "manager", "", "GJ", "U-ADM", "SMGR0001", "810001", "hetal@ambika.example"),
    ("U-MGR-MH", "Sandeep Kulkarni", "manager", "", "MH", "U-ADM", "SMGR0002", "810002", "sandeep@ambika.example"),
    ("U-REP-11", "Jignesh Parmar", "sales_rep", "", "AMD", "U-MGR-GJ", "SREP0011", "820011", "jignesh@ambika.example"),
    ("U-REP-12", "Bhavin Shah", "sales_rep", "", "SRT|VAD", "U-MGR-GJ", "SREP0012", "820012", "bhavin@ambika.example"),
    ("U-REP-21", "Rohit Pawar", "sales_rep", "", "PUN", "U-MGR-MH", "SREP0021", "820021", "rohit@ambika.example"),
    ("U-REP-22", "Amol Jadhav", "sales_rep", "", "NSK", "U-MGR-MH", "SREP0022", "820022", "amol@ambika.example"),
    ("U-WH-AMD", "Ramesh Thakor", "warehouse", "", "AMD", "U-MGR-GJ", "SWH00001", "830001", "ramesh@ambika.example"),
    ("U-WH-PUN", "Santosh Mane", "warehouse", "", "PUN", "U-MGR-MH", "SWH00002", "830002", "santosh@ambika.example"),
    ("U-DIST-AMD", "Mahesh Patel", "distributor", "D-AMD", "", "", "SDIS0001", "840001", "mahesh@ambikadist.example"),
    ("U-DIST-PUN", "Vinay Joshi", "distributor", "D-PUN", "", "", "SDIS0002", "840002", "vinay@sahyadri.example"),
    ("U-RET-201", "Dilip Patel", "retailer", "R-201", "", "", "", "900201", ""),
    ("U-RET-202", "Kalpesh (Jay Ambe)", "retailer", "R-202", "", "", "", "900202", ""),
    ("U-RET-203", "Farida", "retailer", "R-203", "", "", "", "900203", ""),
    ("U-MT-204", "Rakesh Trivedi", "retailer", "R-204", "", "", "", "900204", ""),
    ("U-RET-205", "Harshad", "retailer", "R-205", "", "", "", "900205", ""),
    ("U-RET-207", "Sunil More", "retailer", "R-207", "", "", "", "900207", ""),
    ("U-RET-208", "Anil Deshmukh", "retailer", "R-208", "", "", "", "900208", ""),
    ("U-RET-210", "Laxmi", "retailer", "R-210", "", "", "", "900210", ""),
    ("U-RET-211", "Jignesh Rana", "retailer", "R-211", "", "", "", "900211", ""),
    ("U-RET-212", "Ganesh Wagh", "retailer", "R-212", "", "", "", "900212", ""),
]
approval_rules = [
    ("AR-BIG", "order_total_over", "75000.00", "manager", 12, "admin"),
    ("AR-CREDIT", "credit_limit_exceeded", "", "manager", 24, "admin"),
    ("AR-DISC", "discount_over_pct", "12", "manager", "", ""),
    ("AR-NEW", "customer_pending", "", "admin", "", ""),
]
S_COLS = ["code","name","kind","sku","product","brand","category","customer_type","region","min_qty","unit","min_value","discount_pct","discount_flat","free_sku","free_qty","free_unit","recursive","valid_from","valid_to","priority","stackable"]
schemes = [
    dict(code="SCH-DV-FREE", name="Dantveer 100g: 6 pcs free on every 6 boxes", kind="free_goods", sku="DV-TP100", min_qty=6, unit="BOX", free_qty=6, free_unit="PCS", recursive="true", valid_from="2026-12-01", valid_to="2026-12-31"),
    dict(code="SCH-SACH-STRIP", name="Shampoo sachet: 1 strip free with a box", kind="free_goods", sku="KSH-SCH", min_qty=1, unit="BOX", free_qty=1, free_unit="STRIP", recursive="false", valid_from="2026-10-01", valid_to="2026-12-31"),
    dict(code="SCH-SHUBHRA-5", name="Shubhra: 5% off 48 pcs or more", kind="volume", brand="SHUBHRA", min_qty=48, discount_pct=5, valid_from="2026-11-01", valid_to="2026-12-31", priority=1, stackable="false"),
    dict(code="SCH-SHUBHRA-8", name="Shubhra: 8% off 144 pcs or more", kind="volume", brand="SHUBHRA", min_qty=144, discount_pct=8, valid_from="2026-11-01", valid_to="2026-12-31", priority=2, stackable="false"),
    dict(code="SCH-CR-WINTER", name="Winter offer: 6% off a full case of Glowa Cold Cream", kind="volume", sku="GLW-CR", min_qty=1, unit="CASE", discount_pct=6, valid_from="2026-11-15", valid_to="2027-01-31", priority=0, stackable="true"),
    dict(code="SCH-GLOWA-3", name="Glowa: extra 3% off 24 pcs or more", kind="volume", brand="GLOWA", min_qty=24, discount_pct=3, valid_from="2026-12-01", valid_to="2026-12-31", priority=0, stackable="true"),
    dict(code="SCH-RET-VAL", name="Retailers: 2% off orders of Rs 8000 or more", kind="value", customer_type="retailer", min_value="8000.00", discount_pct=2, valid_from="2026-12-01", valid_to="2026-12-31"),
    dict(code="SCH-MH-SOAP", name="Maharashtra: 1 pack Rose soap free per case of Sandal 100g", kind="free_goods", sku="SGD-SNDL", region="MH", min_qty=1, unit="CASE", free_sku="SGD-ROSE", free_qty=1, free_unit="PACK", recursive="true", valid_from="2026-12-01", valid_to="2026-12-31"),
    dict(code="SCH-MT-FABRIC", name="Modern trade: 4% off 100 pcs of fabric care", kind="volume", category="FABRIC", customer_type="modern_trade", min_qty=100, discount_pct=4, valid_from="2026-10-01", valid_to="2026-12-31"),
    dict(code="SCH-DIWALI", name="Diwali dhamaka: 3% off everything", kind="value", min_value="2000.00", discount_pct=3, valid_from="2026-10-15", valid_to="2026-11-10"),
    dict(code="SCH-RDAY", name="Republic Day: 2.5% off orders over Rs 5000", kind="value", min_value="5000.00", discount_pct="2.5", valid_from="2027-01-20", valid_to="2027-01-31"),
    dict(code="SCH-AMLA-FLAT", name="Kesar Amla Oil: Rs 100 off on 48 pcs", kind="volume", product="AMLA-OIL", min_qty=48, discount_flat="100.00", valid_from="2026-12-01", valid_to="2026-12-31"),
]
# warehouse, sku, batch, qty, mfg, expiry, received, status
stock = [
    ("WH-AMD","SDB-200","SDB-A26",400,"2026-08-01","","2026-08-20","available"),
    ("WH-AMD","SDB-200","SDB-B26",600,"2026-10-01","","2026-10-18","available"),
    ("WH-AMD","SDB-500","SDB5-A26",300,"2026-09-01","","2026-09-15","available"),
    ("WH-AMD","SDG-250","SDG2-2610",480,"2026-10-01","2028-03-31","2026-10-12","available"),
    ("WH-AMD","SDG-750","SDG7-2609",20,"2026-09-01","2028-02-29","2026-09-14","available"),
    ("WH-AMD","SFC-500L","SFC5-2610",240,"2026-10-01","2028-09-30","2026-10-15","available"),
    ("WH-AMD","SFC-1LL","SFCL-2610",144,"2026-10-01","2028-09-30","2026-10-15","available"),
    ("WH-AMD","SFC-1LR","SFCR-2610",60,"2026-10-01","2028-09-30","2026-10-15","available"),
    ("WH-AMD","KTC-500","KTC5-2609",200,"2026-09-01","2028-08-31","2026-09-20","available"),
    ("WH-AMD","KTC-1L","KTC1-2609",10,"2026-09-01","2028-08-31","2026-09-20","available"),
    ("WH-AMD","SAF-DP1K","SAF1-A",480,"2026-09-01","","2026-09-25","available"),
    ("WH-AMD","SAF-DP4K","SAF4-A",60,"2026-09-01","","2026-09-25","available"),
    ("WH-AMD","SAF-LQ1L","SAFL-2610",120,"2026-10-01","2028-03-31","2026-10-20","available"),
    ("WH-AMD","KHO-100","KHO-2606",200,"2026-06-01","2027-06-30","2026-06-20","available"),
    ("WH-AMD","KHO-100","KHO-2609",384,"2026-09-01","2027-09-30","2026-09-22","available"),
    ("WH-AMD","KHO-200","KHO2-2609",144,"2026-09-01","2027-09-30","2026-09-22","available"),
    ("WH-AMD","KSH-180","KSH-2608",144,"2026-08-01","2028-07-31","2026-08-25","available"),
    ("WH-AMD","KSH-SCH","KSS-2610",3840,"2026-10-01","2028-09-30","2026-10-10","available"),
    ("WH-AMD","KSH-650","KS6-2610",72,"2026-10-01","2028-09-30","2026-10-10","available"),
    ("WH-AMD","DV-TP100","DV1-2605",150,"2026-05-01","2027-05-31","2026-05-20","available"),
    ("WH-AMD","DV-TP100","DV1-2608",720,"2026-08-01","2027-08-31","2026-08-18","available"),
    ("WH-AMD","DV-TP200","DV2-2608",216,"2026-08-01","2027-08-31","2026-08-18","available"),
    ("WH-AMD","DV-TB","DVB-A",40,"2026-07-01","","2026-07-10","available"),
    ("WH-AMD","GLW-FW50","GFW5-2609",240,"2026-09-01","2028-08-31","2026-09-12","available"),
    ("WH-AMD","GLW-FW100","GFW1-2606",0,"2026-06-01","2028-05-31","2026-06-15","available"),
    ("WH-AMD","GLW-CR","GCR-2511",30,"2025-11-01","2026-11-30","2025-11-20","available"),
    ("WH-AMD","GLW-CR","GCR-2609",96,"2026-09-01","2027-09-30","2026-09-28","available"),
    ("WH-AMD","GLW-CR","GCR-2609",4,"2026-09-01","2027-09-30","2026-09-28","damaged"),
    ("WH-AMD","GLW-TAL","GTL-2608",108,"2026-08-01","2029-07-31","2026-08-30","available"),
    ("WH-AMD","SGD-SNDL","SGS-2609",576,"2026-09-01","2029-08-31","2026-09-18","available"),
    ("WH-AMD","SGD-SNDL75","SG75-2609",384,"2026-09-01","2029-08-31","2026-09-18","available"),
    ("WH-AMD","SGD-ROSE","SGR-2609",288,"2026-09-01","2029-08-31","2026-09-18","available"),
    ("WH-AMD","KHW-200","KHW-2609",96,"2026-09-01","2028-08-31","2026-09-25","available"),
    ("WH-AMD","KHW-REF","KHR-2412",18,"2024-12-01","2026-12-01","2025-01-05","available"),
    ("WH-AMD","RR-COIL","RRC-A",300,"2026-09-01","","2026-10-01","available"),
    ("WH-AMD","RR-LIQ","RRL-2609",120,"2026-09-01","2028-08-31","2026-10-01","available"),
    ("WH-PUN","SDB-200","SDB-P26",288,"2026-10-01","","2026-10-22","available"),
    ("WH-PUN","SDG-250","SDG2-2610P",144,"2026-10-01","2028-03-31","2026-10-25","available"),
    ("WH-PUN","SDG-750","SDG7-2610P",72,"2026-10-01","2028-03-31","2026-10-25","available"),
    ("WH-PUN","SFC-1LL","SFCL-2610P",48,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","SFC-1LR","SFCR-2610P",48,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","KTC-500","KTC5-2610P",96,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","KTC-1L","KTC1-2610P",48,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","SAF-DP1K","SAF1-P",240,"2026-10-01","","2026-10-25","available"),
    ("WH-PUN","SAF-LQ1L","SAFL-2610P",120,"2026-10-01","2028-03-31","2026-10-25","available"),
    ("WH-PUN","KHO-100","KHO-2609P",192,"2026-09-01","2027-09-30","2026-10-02","available"),
    ("WH-PUN","KHO-200","KHO2-2609P",96,"2026-09-01","2027-09-30","2026-10-02","available"),
    ("WH-PUN","KSH-180","KSH-2609P",72,"2026-09-01","2028-08-31","2026-10-02","available"),
    ("WH-PUN","KSH-SCH","KSS-2610P",1920,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","DV-TP100","DV1-2609P",288,"2026-09-01","2027-09-30","2026-10-02","available"),
    ("WH-PUN","DV-TP200","DV2-2609P",96,"2026-09-01","2027-09-30","2026-10-02","available"),
    ("WH-PUN","DV-TB","DVB-P",288,"2026-09-01","","2026-10-02","available"),
    ("WH-PUN","GLW-FW50","GFW5-2610P",120,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","GLW-FW100","GFW1-2610P",18,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","GLW-CR","GCR-2610P",60,"2026-10-01","2027-10-31","2026-10-25","available"),
    ("WH-PUN","GLW-TAL","GTL-2610P",72,"2026-10-01","2029-09-30","2026-10-25","available"),
    ("WH-PUN","SGD-SNDL","SGS-2610P",432,"2026-10-01","2029-09-30","2026-10-25","available"),
    ("WH-PUN","SGD-ROSE","SGR-2610P",144,"2026-10-01","2029-09-30","2026-10-25","available"),
    ("WH-PUN","KHW-200","KHW-2610P",72,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","KHW-REF","KHR-2610P",24,"2026-10-01","2028-09-30","2026-10-25","available"),
    ("WH-PUN","RR-COIL","RRC-P",0,"2026-09-01","","2026-10-01","available"),
    ("WH-PUN","RR-LIQ","RRL-2610P",30,"2026-10-01","2028-09-30","2026-10-25","available"),
]
# order_no, customer, warehouse, created_at, status, created_by
orders = [
    ("SO-1101","R-201","WH-AMD","2026-10-08T11:10:00+05:30","delivered","U-REP-11"),
    ("SO-1102","R-204","WH-AMD","2026-10-22T12:30:00+05:30","delivered","U-REP-12"),
    ("SO-1119","R-203","WH-AMD","2026-10-28T16:00:00+05:30","delivered","U-REP-12"),
    ("SO-1103","R-202","WH-AMD","2026-11-03T10:45:00+05:30","delivered","U-RET-202"),
    ("SO-1104","R-205","WH-AMD","2026-11-10T09:30:00+05:30","delivered","U-RET-205"),
    ("SO-1106","R-207","WH-PUN","2026-11-14T15:00:00+05:30","delivered","U-REP-21"),
    ("SO-1120","R-206","WH-AMD","2026-11-18T12:10:00+05:30","delivered","U-REP-11"),
    ("SO-1105","R-203","WH-AMD","2026-11-20T13:15:00+05:30","dispatched","U-REP-12"),
    ("SO-1107","R-209","WH-PUN","2026-11-25T11:00:00+05:30","delivered","U-REP-21"),
    ("SO-1116","D-AMD","WH-AMD","2026-11-28T10:00:00+05:30","delivered","U-DIST-AMD"),
    ("SO-1108","R-208","WH-PUN","2026-12-02T12:20:00+05:30","dispatched","U-REP-22"),
    ("SO-1109","R-201","WH-AMD","2026-12-05T10:05:00+05:30","delivered","U-RET-201"),
    ("SO-1110","R-206","WH-AMD","2026-12-08T14:40:00+05:30","dispatched","U-REP-11"),
    ("SO-1118","R-205","WH-AMD","2026-12-09T09:50:00+05:30","delivered","U-RET-205"),
    ("SO-1115","R-209","WH-PUN","2026-12-10T11:30:00+05:30","dispatched","U-REP-21"),
    ("SO-1111","R-202","WH-AMD","2026-12-12T17:20:00+05:30","cancelled","U-RET-202"),
    ("SO-1112","R-201","WH-AMD","2026-12-14T10:15:00+05:30","confirmed","U-RET-201"),
    ("SO-1113","R-204","WH-AMD","2026-12-15T12:00:00+05:30","confirmed","U-REP-12"),
    ("SO-1114","R-207","WH-PUN","2026-12-15T16:10:00+05:30","confirmed","U-RET-207"),
    ("SO-1117","R-212","WH-PUN","2026-08-20T11:00:00+05:30","delivered","U-REP-22"),
]
# order_no, sku, qty, unit_price, discount, free_qty
order_lines = [
    ("SO-1101","SDB-200",96,"19.00","0.00",0),
    ("SO-1101","KHO-100",24,"36.00","0.00",0),
    ("SO-1102","SAF-DP1K",240,"84.00","806.40",0),
    ("SO-1102","SDB-200",192,"17.50","268.80",0),
    ("SO-1102","DV-TP100",144,"41.00","0.00",12),
    ("SO-1119","KSH-SCH",640,"1.50","0.00",16),
    ("SO-1119","KSH-180",36,"108.00","0.00",0),
    ("SO-1103","KSH-180",36,"108.00","0.00",0),
    ("SO-1103","GLW-CR",48,"90.00","0.00",0),
    ("SO-1104","DV-TP100",72,"41.00","0.00",6),
    ("SO-1104","DV-TB",48,"22.00","0.00",0),
    ("SO-1104","KHW-200",24,"74.00","0.00",0),
    ("SO-1106","SAF-DP1K",48,"81.00","0.00",0),
    ("SO-1106","SDG-250",48,"45.00","108.00",0),
    ("SO-1120","SAF-DP4K",40,"325.00","0.00",0),
    ("SO-1120","SAF-DP1K",480,"78.00","0.00",0),
    ("SO-1120","SDB-200",480,"17.80","683.52",0),
    ("SO-1120","KHO-100",480,"36.00","0.00",0),
    ("SO-1120","DV-TP100",720,"41.00","0.00",0),
    ("SO-1105","GLW-FW50",60,"56.00","0.00",0),
    ("SO-1105","GLW-TAL",36,"124.00","0.00",0),
    ("SO-1107","DV-TP100",288,"38.00","0.00",24),
    ("SO-1107","KHO-200",96,"68.00","0.00",0),
    ("SO-1107","SGD-SNDL",288,"30.00","0.00",0),
    ("SO-1116","KSH-SCH",1920,"1.30","0.00",0),
    ("SO-1116","DV-TP100",288,"35.50","0.00",0),
    ("SO-1108","SGD-SNDL",96,"30.00","0.00",0),
    ("SO-1108","RR-LIQ",12,"64.00","0.00",0),
    ("SO-1109","SDG-250",48,"45.00","108.00",0),
    ("SO-1109","SFC-1LL",12,"142.00","85.20",0),
    ("SO-1110","SAF-DP1K",120,"78.00","0.00",0),
    ("SO-1110","SAF-DP4K",20,"325.00","0.00",0),
    ("SO-1110","SDB-200",96,"17.80","85.44",0),
    ("SO-1118","RR-COIL",30,"34.00","0.00",0),
    ("SO-1115","SAF-LQ1L",24,"160.00","0.00",0),
    ("SO-1115","GLW-FW50",60,"56.00","0.00",0),
    ("SO-1111","RR-COIL",60,"34.00","0.00",0),
    ("SO-1112","KHO-100",24,"36.00","0.00",0),
    ("SO-1112","SGD-SNDL",16,"30.00","0.00",0),
    ("SO-1112","KSH-SCH",320,"1.50","0.00",16),
    ("SO-1113","SAF-LQ1L",24,"160.00","0.00",0),
    ("SO-1113","DV-TP200",72,"79.00","0.00",0),
    ("SO-1113","SDB-500",48,"42.00","100.80",0),
    ("SO-1114","KHO-200",12,"68.00","0.00",0),
    ("SO-1114","DV-TP100",24,"41.00","0.00",0),
    ("SO-1117","SGD-SNDL",48,"30.00","0.00",0),
    ("SO-1117","RR-COIL",60,"34.00","0.00",0),
]
payments = [
    ("R-201","3200.00","2026-10-15","upi","UPI-552310"),
    ("R-201","3171.84","2026-10-30","upi","UPI-553871"),
    ("R-204","30000.00","2026-11-10","cheque","CHQ-004411"),
    ("R-202","5000.00","2026-11-20","upi","UPI-561002"),
    ("R-207","5000.00","2026-11-30","upi","UPI-570019"),
    ("R-209","35000.00","2026-12-05","bank_transfer","NEFT-88120"),
    ("D-AMD","10000.00","2026-12-01","bank_transfer","RTGS-22017"),
    ("R-212","3984.00","2026-09-01","cash","RCPT-0871"),
]
beats = [
    ("BEAT-AMDE-MON","Ahmedabad East Monday","U-REP-11","mon","R-201|R-205"),
    ("BEAT-AMDW-TUE","Ahmedabad West Tuesday","U-REP-11","tue","R-202|R-206"),
    ("BEAT-SRT-WED","Surat Wednesday","U-REP-12","wed","R-203|R-211"),
    ("BEAT-VAD-FRI","Vadodara Friday","U-REP-12","fri","R-204"),
    ("BEAT-PUN-WED","Pune Wednesday","U-REP-21","wed","R-207|R-210|R-209"),
    ("BEAT-NSK-THU","Nashik Thursday","U-REP-22","thu","R-208|R-212"),
]
targets = [
    ("2026-12","U-REP-11","","150000.00"),
    ("2026-12","U-REP-12","","200000.00"),
    ("2026-12","U-REP-21","","120000.00"),
    ("2026-12","U-REP-22","","60000.00"),
    ("2026-12","","D-AMD","500000.00"),
    ("2026-12","","D-PUN","300000.00"),
]
attendance = [
    ("U-REP-11","2026-12-14T09:35:00+05:30","2026-12-14T18:40:00+05:30","23.0300","72.6000"),
    ("U-REP-11","2026-12-15T09:50:00+05:30","2026-12-15T18:10:00+05:30","23.0400","72.5250"),
    ("U-REP-21","2026-12-09T10:05:00+05:30","2026-12-09T19:00:00+05:30","18.5080","73.8080"),
    ("U-REP-22","2026-12-10T09:40:00+05:30","2026-12-10T17:55:00+05:30","19.9970","73.7890"),
]
visits = [
    ("V-5001","U-REP-11","R-201","2026-12-14T10:00:00+05:30","2026-12-14T10:25:00+05:30","no_order","stock_sufficient","","23.0301","72.6101","has stock till next week"),
    ("V-5002","U-REP-11","R-205","2026-12-14T11:05:00+05:30","2026-12-14T11:20:00+05:30","no_order","credit_issue","","23.0281","72.6199","overdue pending"),
    ("V-5003","U-REP-11","R-206","2026-12-15T12:00:00+05:30","2026-12-15T12:30:00+05:30","no_order","owner_absent","","23.0401","72.5201",""),
    ("V-5004","U-REP-21","R-207","2026-12-09T11:00:00+05:30","2026-12-09T11:30:00+05:30","no_order","stock_sufficient","","18.5075","73.8078",""),
    ("V-5005","U-REP-22","R-208","2026-12-02T12:00:00+05:30","2026-12-02T12:30:00+05:30","order","","SO-1108","19.9976","73.7899",""),
]

def w(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(header)
        for r in rows:
            wr.writerow(["" if v is None else v for v in r])

def build():
    os.makedirs(OUT, exist_ok=True)
    w("brands.csv", ["code","name","parent"], brands)
    w("categories.csv", ["code","name","parent"], categories)
    w("products.csv", ["code","name","brand","category"], products)
    w("skus.csv", ["code","product","name","units","tax_rate","mrp","allocation","reorder_level","aliases","barcode"], [s[:10] for s in skus])
    prices = []
    for s in skus:
        if s[10]:
            prices.append((s[0], s[10], "", "", "", "2026-01-01", ""))
        prices.append((s[0], s[11], "distributor", "", "", "2026-01-01", ""))
    prices += extra_prices
    w("prices.csv", ["sku","price","customer_type","region","customer","valid_from","valid_to"], prices)
    w("regions.csv", ["code","name","parent","level"], regions)
    w("warehouses.csv", ["code","name","region","owner"], warehouses)
    ccols = ["code","name","type","region","distributor","warehouse","credit_limit","payment_terms_days","opening_balance","phone","status","contact_person","latitude","longitude","class"]
    if FULL:
        w("customers.csv", ccols, customers)
    else:
        w("customers.csv", ccols[:11], [c[:11] for c in customers])
    w("users.csv", ["id","name","role","customer","regions","reports_to","slack_id","telegram_id","email"], users)
    w("approval_rules.csv", ["code","when","threshold","approver_role","escalate_after_hours","escalate_to_role"], approval_rules)
    w("schemes.csv", S_COLS, [[s.get(c, "") for c in S_COLS] for s in schemes])
    w("stock.csv", ["warehouse","sku","batch","qty","mfg_date","expiry_date","received_on","status"], stock)
    w("orders.csv", ["order_no","customer","warehouse","created_at","status","created_by"], orders)
    w("order_lines.csv", ["order_no","sku","qty","unit_price","discount","free_qty"], order_lines)
    w("payments.csv", ["customer","amount","paid_on","method","reference"], payments)
    w("beats.csv", ["code","name","sales_rep","weekday","customers"], beats)
    if not FULL:
        return
    w("targets.csv", ["month","user","customer","target"], targets)
    w("attendance.csv", ["user","check_in","check_out","latitude","longitude"], attendance)
    w("visits.csv", ["id","user","customer","started_at","ended_at","outcome","reason","order_no","latitude","longitude","notes"], visits)

if __name__ == "__main__":
    build()
    print("written to", os.path.abspath(OUT))
