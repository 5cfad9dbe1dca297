// SPDX-License-Identifier: GPL-2.0
/*
 * spsc.c built with LAB3_DELAY, for lab3_delay_test: slot_write() and
 * slot_read() pause in the middle of the slot and after it, so that a
 * side that publishes a slot before it is written, or frees it before it
 * is read, is caught by the other side, CPU or no CPU reordering.
 */
#define LAB3_DELAY 1
#include "spsc.c"
