#ifndef CCOWLAB_SHIM_H
#define CCOWLAB_SHIM_H
int cowlab_shim_placeholder(void);
#endif
