spec "hmm-tests open_close: open and close the dmirror device"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, open_close), variant hmm_device_private.
# Checks: /dev/hmm_dmirror0 opens (an interval notifier over the whole mm) and closes.
# The kernel test body is empty: the fixture opens and its teardown closes.

process p
p: open dmirror d
p: close d
