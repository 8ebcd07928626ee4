/**
 * soname → Debian package. The project's table lives in src/project/native.ts
 * (`debianPackageForSoname`); until that module exists this small fallback keeps analyze useful.
 */
type Lookup = (soname: string) => string | null;

const FALLBACK: Record<string, string> = {
  'libpq.so.5': 'libpq5',
  'libblas.so.3': 'libblas3',
  'liblapack.so.3': 'liblapack3',
  'libmariadb.so.3': 'libmariadb3',
  'libmysqlclient.so.21': 'libmysqlclient21',
  'libxml2.so.2': 'libxml2',
  'libxslt.so.1': 'libxslt1.1',
  'libexslt.so.0': 'libxslt1.1',
  'libGL.so.1': 'libgl1',
  'libEGL.so.1': 'libegl1',
  'libgthread-2.0.so.0': 'libglib2.0-0',
  'libglib-2.0.so.0': 'libglib2.0-0',
  'libgomp.so.1': 'libgomp1',
  'libgfortran.so.5': 'libgfortran5',
  'libquadmath.so.0': 'libquadmath0',
  'libopenblas.so.0': 'libopenblas0',
  'libffi.so.8': 'libffi8',
  'libssl.so.3': 'libssl3',
  'libcrypto.so.3': 'libssl3',
  'libjpeg.so.62': 'libjpeg62-turbo',
  'libpng16.so.16': 'libpng16-16',
  'libtiff.so.6': 'libtiff6',
  'libwebp.so.7': 'libwebp7',
  'libfreetype.so.6': 'libfreetype6',
  'liblcms2.so.2': 'liblcms2-2',
  'libopenjp2.so.7': 'libopenjp2-7',
  'libz.so.1': 'zlib1g',
  'libbz2.so.1.0': 'libbz2-1.0',
  'liblzma.so.5': 'liblzma5',
  'libzstd.so.1': 'libzstd1',
  'liblz4.so.1': 'liblz4-1',
  'libsnappy.so.1': 'libsnappy1v5',
  'libstdc++.so.6': 'libstdc++6',
  'libgcc_s.so.1': 'libgcc-s1',
  'libyaml-0.so.2': 'libyaml-0-2',
  'libsqlite3.so.0': 'libsqlite3-0',
  'libexpat.so.1': 'libexpat1',
  'libuuid.so.1': 'libuuid1',
  'libmagic.so.1': 'libmagic1',
  'libcairo.so.2': 'libcairo2',
  'libgeos_c.so.1': 'libgeos-c1v5',
  'libproj.so.25': 'libproj25',
  'libgdal.so.32': 'libgdal32',
  'libsasl2.so.2': 'libsasl2-2',
  'libldap-2.5.so.0': 'libldap-2.5-0',
  'libkrb5.so.3': 'libkrb5-3',
  'libgssapi_krb5.so.2': 'libgssapi-krb5-2',
  'libcurl.so.4': 'libcurl4',
  'libsodium.so.23': 'libsodium23',
  'libzmq.so.5': 'libzmq5',
  'libhdf5_serial.so.103': 'libhdf5-103-1',
  'libgmp.so.10': 'libgmp10',
  'libreadline.so.8': 'libreadline8',
  'libncursesw.so.6': 'libncursesw6',
  'libtinfo.so.6': 'libtinfo6',
  'libc.so.6': 'libc6',
  'libm.so.6': 'libc6',
  'libpthread.so.0': 'libc6',
  'libdl.so.2': 'libc6',
  'librt.so.1': 'libc6',
};

let projectLookup: Lookup | null = null;
try {
  // Resolved at run time so this module works before src/project/native.ts lands.
  const spec = '../project/native.js';
  const mod = (await import(spec)) as { debianPackageForSoname?: Lookup };
  if (typeof mod.debianPackageForSoname === 'function') projectLookup = mod.debianPackageForSoname;
} catch {
  projectLookup = null;
}

/** The Debian package that ships a soname, or null when neither table knows it. */
export function debianPackageFor(soname: string): string | null {
  return projectLookup?.(soname) ?? FALLBACK[soname] ?? null;
}
