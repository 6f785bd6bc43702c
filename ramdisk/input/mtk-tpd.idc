# MediaTek's tpd framework: whichever touch IC won registers the input device
# "mtk-tpd" (a touch screen with its capacitive keys below it); Android finds
# this as mtk-tpd.idc.
touch.deviceType = touchScreen
touch.orientationAware = 1
device.internal = 1
