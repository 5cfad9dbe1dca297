// SPDX-License-Identifier: GPL-2.0
/*
 * lab3_test's tests against spsc.c built with LAB3_DELAY (spsc_delay.c):
 * the same program, linked with the delayed ring; its stream tests are
 * called ring.delayed_stream_*.
 */
#define LAB3_DELAYED 1
#include "lab3_test.c"
