#ifndef CONVEYOR_CLIBXML2_SHIM_H
#define CONVEYOR_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* The ICU converter fields of xmlCharEncodingHandler are never used from Swift; leaving
   them out keeps the system ICU headers from clashing with the ICU bundled in Foundation. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <libxml/xpath.h>

/* Frees memory that libxml2 allocated (xmlFree may be a macro or a variable). */
static inline void conveyor_xml_free(void *pointer) {
    xmlFree(pointer);
}

/* A generic error handler that discards everything: libxml2 must never print. */
static inline void conveyor_xml_discard(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

/* Routes the calling thread's generic (unstructured) libxml2 errors to the discarding
   handler, and makes it the default for threads created later. libxml2 keeps this
   setting per thread, so calling it before each parse is cheap and race-free. */
static inline void conveyor_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, conveyor_xml_discard);
    xmlThrDefSetGenericErrorFunc(NULL, conveyor_xml_discard);
}
#endif
