# Input device configuration for Goodix GT911 touch screens, as Android's
# InputReader looks it up: Vendor_<vid>_Product_<pid>.idc (goodix_ts reports
# vendor 0x0416 and the chip's ID as product: 911 = 0x038f).
touch.deviceType = touchScreen
touch.orientationAware = 1
device.internal = 1
