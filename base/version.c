/* The library's version at run time (see version.h). */
#include "version.h"

const char *tfc_version(void) { return TFC_VERSION_STRING; }
