/*
 * The layout as data: every field's offset and size, computed by the
 * compiler from layout.h and glibc's own pthread types, plus the enum values.
 * The addon hands both to TypeScript, which therefore never hard-codes a byte
 * position or an enum number.
 */
#ifndef MVR_LAYOUT_TABLE_H
#define MVR_LAYOUT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mvr_field {
  const char *region; /* header | mvar | slot | ring | event */
  const char *name;   /* e.g. "canTake.__g1_orig_size" */
  uint32_t offset;    /* from the start of its region */
  uint32_t size;
};

struct mvr_const {
  const char *group; /* variant | fault | role | slotState | op | phase | runtime | exit | limit */
  const char *name;
  int64_t value;
};

extern const struct mvr_field mvr_fields[];
extern const size_t mvr_field_count;
extern const struct mvr_const mvr_consts[];
extern const size_t mvr_const_count;

#ifdef __cplusplus
}
#endif

#endif
