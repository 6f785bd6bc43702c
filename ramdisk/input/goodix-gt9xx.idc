# Goodix GT9xx capacitive touch panels (goodix_ts), for Android's InputReader.
# goodix_ts names its input device "Goodix Capacitive TouchScreen" (vendor
# 0x0416, product the chip's decimal ID: GT911 0x038f, GT928 0x03a0...): the
# shipped rule installs this as Goodix_Capacitive_TouchScreen.idc, the name
# every GT9xx shares, which Android tries after Vendor_0416_Product_XXXX.
touch.deviceType = touchScreen
touch.orientationAware = 1
device.internal = 1
