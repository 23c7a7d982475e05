//! The `forward!` macro that writes the blocking methods from the list of async ones.

/// Writes the blocking twin of each listed method of `crate::$t`, documented "See
/// [`crate::$t::name`]". One line per method: its kind, its name and arguments, and what it
/// gives back:
///
/// - `make`: a constructor, `Result<Self>`;
/// - `set` / `try_set`: a setter on `&mut self` giving `&mut Self` / `Result<&mut Self>`;
/// - `borrow`: a plain call on `&mut self` giving what the async method gives;
/// - `wait` / `wait_mut`: runs the async method on `&self` / `&mut self` to its `Result<T>`;
/// - `wait_self`: runs it and gives `Result<&mut Self>`;
/// - `load`: runs a `load_*` call, then gives the getter's slice;
/// - `wrap` / `wait_wrap`: a call (run to its result) whose [`crate::Incident`] comes back as a
///   blocking [`Incident`].
macro_rules! forward {
    ($t:ident;) => {};
    ($t:ident; make $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name($($a: $ty),*) -> Result<Self> {
            Self::wrap(crate::$t::$name($($a),*)?)
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; set $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self, $($a: $ty),*) -> &mut Self {
            self.inner.$name($($a),*);
            self
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; try_set $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self, $($a: $ty),*) -> Result<&mut Self> {
            self.inner.$name($($a),*)?;
            Ok(self)
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; borrow $name:ident($($a:ident: $ty:ty),*) -> $ret:ty; $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self, $($a: $ty),*) -> $ret {
            self.inner.$name($($a),*)
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; wait $name:ident($($a:ident: $ty:ty),*) -> $ret:ty; $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&self, $($a: $ty),*) -> Result<$ret> {
            self.rt.block_on(self.inner.$name($($a),*))
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; wait_mut $name:ident($($a:ident: $ty:ty),*) -> $ret:ty; $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self, $($a: $ty),*) -> Result<$ret> {
            self.rt.block_on(self.inner.$name($($a),*))
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; wait_self $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self, $($a: $ty),*) -> Result<&mut Self> {
            self.rt.block_on(self.inner.$name($($a),*))?;
            Ok(self)
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; load $name:ident() -> $getter:ident: $item:ty; $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&mut self) -> Result<&[$item]> {
            let rt = self.rt.clone();
            rt.block_on(async { self.inner.$name().await.map(|_| ()) })?;
            Ok(self.inner.$getter())
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; wrap $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&self, $($a: $ty),*) -> Incident {
            self.wrap(self.inner.$name($($a),*))
        }
        forward!($t; $($rest)*);
    };
    ($t:ident; wait_wrap $name:ident($($a:ident: $ty:ty),*); $($rest:tt)*) => {
        #[doc = concat!("See [`crate::", stringify!($t), "::", stringify!($name), "`].")]
        pub fn $name(&self, $($a: $ty),*) -> Result<Option<Incident>> {
            Ok(self
                .rt
                .block_on(self.inner.$name($($a),*))?
                .map(|i| self.wrap(i)))
        }
        forward!($t; $($rest)*);
    };
}
