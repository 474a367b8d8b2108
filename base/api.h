/* What every public header of libtfc starts from. TFC_API marks a declaration as part of the
 * library's interface: libtfc is compiled with -fvisibility=hidden, so only what carries TFC_API
 * is exported from libtfc.so (tests/tools/test_install.py checks that every function declared in
 * an installed header is, and nothing else). TFC_BEGIN_DECLS and TFC_END_DECLS give the
 * declarations C linkage when a C++ program includes them. */
#ifndef TFC_API_H
#define TFC_API_H

#if defined(__GNUC__)
#define TFC_API __attribute__((visibility("default")))
#define TFC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TFC_API
#define TFC_PRINTF(fmt, args)
#endif

#ifdef __cplusplus
#define TFC_BEGIN_DECLS extern "C" {
#define TFC_END_DECLS }
#else
#define TFC_BEGIN_DECLS
#define TFC_END_DECLS
#endif

#endif
