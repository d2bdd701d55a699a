package dev.codec.client.cli;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Replaces this JVM with a command, as the shell's {@code exec} does: libc {@code execve} called
 * through the Foreign Function &amp; Memory API ({@code java.lang.foreign}, final in JDK 22). The
 * command keeps this process's PID, so signals sent to it (Kubernetes' SIGTERM to PID 1) and its
 * exit code are its own, and no JVM stays resident while it runs.
 *
 * <p>codec is built as Java 17 bytecode and on JDK 17, where {@code java.lang.foreign} is not
 * final, so this class reaches the API only through reflection at run time; {@link
 * #unavailableReason()} says whether it can be used (JDK 22+, and native access not denied by
 * {@code --enable-native-access} or {@code --illegal-native-access=deny}). JDK 22+ prints a warning
 * for the restricted {@code Linker} call unless native access is enabled: the jar's manifest has
 * {@code Enable-Native-Access: ALL-UNNAMED}, and {@code -cp} launchers pass {@code
 * --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Before {@code execve}: every file descriptor above 2 is marked close-on-exec (the JVM's jar,
 * its random sources, the closed codec connection's leftovers), so the command starts with stdin,
 * stdout and stderr only, as in child mode ({@link ProcessBuilder} closes the others too); and the
 * calling thread's signal mask is cleared (the JVM blocks SIGQUIT in its threads, and a blocked
 * mask survives {@code execve}). Signal handlers the JVM installed reset to the default on {@code
 * execve}.
 *
 * <p>Hand-written on purpose: no library in the build calls {@code execve}, and JNA/JNR would add a
 * native library and hundreds of classes to a path whose point is to be short.
 */
final class ProcessReplacement {
  /** glibc's and musl's {@code sigset_t} is at most 128 bytes; all zero is the empty set. */
  private static final int SIGSET_BYTES = 128;

  private static final int SIG_SETMASK = 2;
  private static final int F_SETFD = 2;
  private static final int FD_CLOEXEC = 1;

  /** File descriptors checked when /proc/self/fd cannot be listed. */
  private static final int FALLBACK_FD_LIMIT = 1024;

  /** The FFM entry points, or the reason they cannot be had. */
  private static final class Native {
    static final Native INSTANCE = load();

    final MethodHandle execve;
    final MethodHandle sigprocmask;
    final MethodHandle fcntl;
    final Object addressLayout; // ValueLayout.ADDRESS
    final Object nullAddress; // MemorySegment.NULL
    final long pointerBytes; // ADDRESS.byteSize()
    final Method allocateBytes; // SegmentAllocator.allocate(long, long)
    final Method fill; // MemorySegment.fill(byte)
    final Method allocateString; // SegmentAllocator.allocateFrom(String)
    final Method setAddressAtIndex; // MemorySegment.setAtIndex(AddressLayout, long, MemorySegment)
    final Method ofAuto; // Arena.ofAuto()
    final String unavailable;

    private Native(
        MethodHandle execve,
        MethodHandle sigprocmask,
        MethodHandle fcntl,
        Object addressLayout,
        Object nullAddress,
        Method allocateBytes,
        Method fill,
        Method allocateString,
        Method setAddressAtIndex,
        Method ofAuto,
        String unavailable) {
      this.execve = execve;
      this.sigprocmask = sigprocmask;
      this.fcntl = fcntl;
      this.addressLayout = addressLayout;
      this.nullAddress = nullAddress;
      this.pointerBytes = addressLayout == null ? 0 : byteSize(addressLayout);
      this.allocateBytes = allocateBytes;
      this.fill = fill;
      this.allocateString = allocateString;
      this.setAddressAtIndex = setAddressAtIndex;
      this.ofAuto = ofAuto;
      this.unavailable = unavailable;
    }

    private static Native unavailable(String reason) {
      return new Native(null, null, null, null, null, null, null, null, null, null, reason);
    }

    private static Native load() {
      if (Runtime.version().feature() < 22) {
        return unavailable("needs JDK 22 or later (this is " + Runtime.version().feature() + ")");
      }
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
          && !System.getProperty("os.name", "")
              .toLowerCase(java.util.Locale.ROOT)
              .contains("mac")) {
        return unavailable("needs a POSIX system");
      }
      try {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> addressLayoutClass = Class.forName("java.lang.foreign.AddressLayout");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> allocatorClass = Class.forName("java.lang.foreign.SegmentAllocator");
        Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");

        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
        Method find = lookupClass.getMethod("find", String.class);
        Object address = valueLayoutClass.getField("ADDRESS").get(null);
        Object javaInt = valueLayoutClass.getField("JAVA_INT").get(null);
        Method descriptorOf =
            descriptorClass.getMethod(
                "of", layoutClass, Array.newInstance(layoutClass, 0).getClass());
        Method downcall =
            linkerClass.getMethod(
                "downcallHandle",
                segmentClass,
                descriptorClass,
                Array.newInstance(optionClass, 0).getClass());
        Object noOptions = Array.newInstance(optionClass, 0);

        Object threeAddresses = layouts(layoutClass, address, address, address);
        MethodHandle execve =
            (MethodHandle)
                downcall.invoke(
                    linker,
                    symbol(find, libc, "execve"),
                    descriptorOf.invoke(null, javaInt, threeAddresses),
                    noOptions);
        MethodHandle sigprocmask =
            (MethodHandle)
                downcall.invoke(
                    linker,
                    symbol(find, libc, "sigprocmask"),
                    descriptorOf.invoke(
                        null, javaInt, layouts(layoutClass, javaInt, address, address)),
                    noOptions);
        // int fcntl(int fd, int cmd, ...): the third argument is variadic
        Object variadicFromThird = Array.newInstance(optionClass, 1);
        Array.set(
            variadicFromThird,
            0,
            optionClass.getMethod("firstVariadicArg", int.class).invoke(null, 2));
        MethodHandle fcntl =
            (MethodHandle)
                downcall.invoke(
                    linker,
                    symbol(find, libc, "fcntl"),
                    descriptorOf.invoke(
                        null, javaInt, layouts(layoutClass, javaInt, javaInt, javaInt)),
                    variadicFromThird);

        return new Native(
            execve,
            sigprocmask,
            fcntl,
            address,
            segmentClass.getField("NULL").get(null),
            allocatorClass.getMethod("allocate", long.class, long.class),
            segmentClass.getMethod("fill", byte.class),
            allocatorClass.getMethod("allocateFrom", String.class),
            segmentClass.getMethod("setAtIndex", addressLayoutClass, long.class, segmentClass),
            arenaClass.getMethod("ofAuto"),
            null);
      } catch (InvocationTargetException e) {
        // IllegalCallerException: native access denied to this module
        return unavailable(
            "native access refused (" + e.getCause().getClass().getSimpleName() + ")");
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return unavailable("java.lang.foreign unusable (" + e.getClass().getSimpleName() + ")");
      }
    }

    private static long byteSize(Object layout) {
      try {
        return (long)
            Class.forName("java.lang.foreign.MemoryLayout").getMethod("byteSize").invoke(layout);
      } catch (ReflectiveOperationException e) {
        return Long.BYTES;
      }
    }

    private static Object layouts(Class<?> layoutClass, Object... layouts) {
      Object array = Array.newInstance(layoutClass, layouts.length);
      for (int i = 0; i < layouts.length; i++) {
        Array.set(array, i, layouts[i]);
      }
      return array;
    }

    private static Object symbol(Method find, Object lookup, String name)
        throws ReflectiveOperationException {
      Optional<?> found = (Optional<?>) find.invoke(lookup, name);
      return found.orElseThrow(() -> new NoSuchMethodException("libc has no " + name));
    }
  }

  private ProcessReplacement() {}

  /** Why this JVM cannot replace itself, or empty if it can. Loads the FFM entry points once. */
  static Optional<String> unavailableReason() {
    return Optional.ofNullable(Native.INSTANCE.unavailable);
  }

  /**
   * Resolves a command name as {@code execvp} does: a name containing '/' is used as it is;
   * otherwise the first regular, executable file of that name in the directories of {@code path}
   * (empty entries mean the current directory; an unset PATH means {@code /bin:/usr/bin}, glibc's
   * default).
   */
  static Optional<Path> resolve(String command, String path) {
    if (command.isEmpty()) {
      return Optional.empty();
    }
    if (command.indexOf('/') >= 0) {
      Path file = Path.of(command);
      return Files.isRegularFile(file) && Files.isExecutable(file)
          ? Optional.of(file)
          : Optional.empty();
    }
    String directories = path == null ? "/bin:/usr/bin" : path;
    for (String directory : directories.split(":", -1)) {
      Path file = Path.of(directory.isEmpty() ? "." : directory).resolve(command);
      if (Files.isRegularFile(file) && Files.isExecutable(file)) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  /**
   * Replaces this process with {@code executable}, called with {@code arguments} (argv[0] first)
   * and exactly {@code environment}. Returns only if it could not (the JVM is then intact, and the
   * caller may start the command as a child instead), with the reason.
   */
  static String replace(Path executable, List<String> arguments, Map<String, String> environment) {
    Native ffm = Native.INSTANCE;
    if (ffm.unavailable != null) {
      return ffm.unavailable;
    }
    try {
      Object arena = ffm.ofAuto.invoke(null);
      Object file = ffm.allocateString.invoke(arena, executable.toString());
      List<String> entries = new ArrayList<>(environment.size());
      environment.forEach((name, value) -> entries.add(name + "=" + value));
      Object argv = nullTerminated(ffm, arena, arguments);
      Object envp = nullTerminated(ffm, arena, entries);
      Object emptySet = ffm.allocateBytes.invoke(arena, (long) SIGSET_BYTES, (long) Long.BYTES);
      ffm.fill.invoke(emptySet, (byte) 0);

      closeOnExec(ffm);
      System.out.flush();
      System.err.flush();
      int masked =
          (int) ffm.sigprocmask.invokeWithArguments(SIG_SETMASK, emptySet, ffm.nullAddress);
      if (masked != 0) {
        return "sigprocmask failed";
      }
      ffm.execve.invokeWithArguments(file, argv, envp);
      return "execve failed"; // it returns only on failure (ENOEXEC, EACCES, E2BIG, ...)
    } catch (Throwable e) { // invokeWithArguments declares Throwable
      return "execve could not be called (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static Object nullTerminated(Native ffm, Object arena, List<String> strings)
      throws ReflectiveOperationException {
    Object array =
        ffm.allocateBytes.invoke(arena, (strings.size() + 1) * ffm.pointerBytes, ffm.pointerBytes);
    for (int i = 0; i < strings.size(); i++) {
      ffm.setAddressAtIndex.invoke(
          array, ffm.addressLayout, (long) i, ffm.allocateString.invoke(arena, strings.get(i)));
    }
    ffm.setAddressAtIndex.invoke(array, ffm.addressLayout, (long) strings.size(), ffm.nullAddress);
    return array;
  }

  /**
   * Marks every open descriptor above stderr close-on-exec (the JVM keeps working if execve fails).
   */
  private static void closeOnExec(Native ffm) throws Throwable {
    List<Integer> descriptors = new ArrayList<>();
    try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
      open.forEach(
          fd -> {
            try {
              descriptors.add(Integer.parseInt(fd.getFileName().toString()));
            } catch (NumberFormatException notADescriptor) {
              // nothing else is listed there
            }
          });
    } catch (IOException | java.io.UncheckedIOException noProc) {
      for (int fd = 3; fd < FALLBACK_FD_LIMIT; fd++) {
        descriptors.add(fd);
      }
    }
    for (int fd : descriptors) {
      if (fd > 2) {
        ffm.fcntl.invokeWithArguments(
            fd, F_SETFD, FD_CLOEXEC); // EBADF for ones closed since listed: harmless
      }
    }
  }
}
