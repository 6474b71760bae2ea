/* bcryptprimitives.dll for Wine 8, which lacks it: Rust's standard library (1.78 and later) takes
 * its random numbers from ProcessPrng there, so every Rust program for Windows fails to start
 * under Wine 8 (exit 53, no output). This stand-in answers from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. Only for running tests under Wine: a real Windows has
 * the real DLL, and this file is never shipped. Built by tests/windows/wine with mingw-w64. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
