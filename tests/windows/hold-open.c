/* A PDF viewer as Windows sees one: opens the file named on the command line for reading,
 * shared for reading only (as Adobe Reader does), says "open" on stdout, and keeps it open
 * until its stdin closes. While it runs, Windows refuses to replace, rename or delete the file.
 * The Wine stories use it to hold a kept print open (crates/tongban-cli/tests/windows.rs). */
#include <stdio.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 2) {
        fputs("usage: hold-open FILE\n", stderr);
        return 2;
    }
    HANDLE file = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold-open: cannot open (error %lu)\n", GetLastError());
        return 1;
    }
    puts("open");
    fflush(stdout);
    char buffer[64];
    DWORD got;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buffer, sizeof buffer, &got, NULL) && got > 0) {
    }
    CloseHandle(file);
    return 0;
}
