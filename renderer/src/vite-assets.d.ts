// Vite's `?url` imports: the address of a file the build copies beside the page (pdf.js's worker).
declare module '*?url' {
  const url: string;
  export default url;
}
