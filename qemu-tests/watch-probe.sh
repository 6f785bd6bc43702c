#!/bin/sh
# Board 14: an I2C adapter that appears after the probe's first pass. The bus
# driver the init preloaded is unloaded, the probe runs with --watch (its
# first pass finds no adapter; a child stays, listening to uevents), then the
# driver is loaded again: the adapters' "add" uevents re-run the open classes.
log() { echo "<6>watch-test: $*" >/dev/kmsg; }
rmmod i2c_versatile || exit 1
log "i2c_versatile unloaded: $(cd /sys/bus/i2c/devices && echo *)"
/sbin/probe --watch 10 --timeout 200 || exit 1
log "first pass done"
ko=$(find /lib/modules -name i2c-versatile.ko | head -1)
insmod "$ko" || { log "insmod $ko failed"; exit 1; }
log "i2c_versatile loaded again: $(cd /sys/bus/i2c/devices && echo *)"
# the child appends to the same record: wait until its pass has decided touch
# and put back the settings of every adapter it changed (its last lines; 10 s
# at most), so that the record the init prints next holds the whole pass
done_pass() {
	grep -q '^decide class=touch rule=ft5x06' /run/probe/decisions &&
		[ "$(grep -c '^bus .*status=restored' /run/probe/decisions)" = "$(grep -c '^bus .* defaults=' /run/probe/decisions)" ]
}
i=0
while ! done_pass && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
