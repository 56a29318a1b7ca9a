#include "CCowlabShim.h"
int cowlab_shim_placeholder(void) { return 0; }
