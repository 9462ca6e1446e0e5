// SPDX-License-Identifier: GPL-3.0-or-later
// The program of each <layer library>_link_check executable (cmake/KdiveLayers.cmake): it does
// nothing; linking it is the check that a layer calls nothing above itself.
int main() { return 0; }
