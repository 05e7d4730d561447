/* The loader's private copies of plugin files: anonymous, sealed memory files (memfd) that the
 * dynamic loader maps instead of the file in the plugin directory, so that nothing written to
 * that file afterwards can change code the server runs. Host-private: plugins never see it.
 *
 * In C because glibc declares memfd_create only under _GNU_SOURCE, which the Swift Glibc module
 * is not built with. */
#ifndef AEROLITH_PRIVATE_IMAGE_H
#define AEROLITH_PRIVATE_IMAGE_H

#include <fcntl.h>

int memfd_create(const char *name, unsigned int flags);

/* A new, empty memory file that can be sealed, closed on exec; -1 with errno on failure. */
static inline int aerolith_private_image_create(const char *name) {
    return memfd_create(name, 0x0001U /* MFD_CLOEXEC */ | 0x0002U /* MFD_ALLOW_SEALING */);
}

/* Forbids every later write, growth and shrinking, and any change to these seals; 0 on success. */
static inline int aerolith_private_image_seal(int descriptor) {
    return fcntl(descriptor, 1033 /* F_ADD_SEALS */,
                 0x0001 /* F_SEAL_SEAL */ | 0x0002 /* F_SEAL_SHRINK */ | 0x0004 /* F_SEAL_GROW */ | 0x0008 /* F_SEAL_WRITE */);
}

#endif
