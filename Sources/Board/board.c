/* The Board module is its header (include/board.h); SwiftPM wants one source file. */
