// libFuzzer's driver, for `overblik-fuzz`'s own `main` (the library comes with `-sanitize=fuzzer`).
#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
