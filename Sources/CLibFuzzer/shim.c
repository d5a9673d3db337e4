// Only the header matters (LLVMFuzzerRunDriver is in libFuzzer); SwiftPM needs a source file in a C target.
#include "CLibFuzzer.h"
