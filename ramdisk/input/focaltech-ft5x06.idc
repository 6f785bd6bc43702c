# FocalTech FT5x06/FT6x06 capacitive touch panels (edt-ft5x06), for Android's
# InputReader. edt-ft5x06 names a generic FocalTech panel "generic ft5x06
# (XX)", XX its register 0xA8 (the panel maker's ID) in hex: the shipped rule
# reads that register first and installs this as generic_ft5x06__XX_.idc,
# the name Android looks up (every character outside A-Z a-z 0-9 - _ as _).
touch.deviceType = touchScreen
touch.orientationAware = 1
device.internal = 1
