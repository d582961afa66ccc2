import { Link } from "@remix-run/react";

/** NHS-style error pages: plain words, what to do next, and nothing about the thing that was asked for. */
export function ErrorPage({ status }: { status: number }) {
  if (status === 404) {
    return (
      <>
        <h1>Page not found</h1>
        <p>If you typed the web address, check it is correct.</p>
        <p>If you pasted the web address, check you copied the entire address.</p>
        <p>
          You can only see the practices and ICBs your account gives you access to. <Link to="/">Go to your home page</Link>.
        </p>
      </>
    );
  }
  if (status === 403) {
    return (
      <>
        <h1>You do not have access to this page</h1>
        <p>Your account does not allow you to see this page.</p>
        <p>
          If you think you should have access, contact your ICB&apos;s system administrator. <Link to="/">Go to your home page</Link>.
        </p>
      </>
    );
  }
  if (status === 400 || status === 405 || status === 413) {
    return (
      <>
        <h1>Sorry, there is a problem with the request</h1>
        <p>The request could not be handled. Go back and try again.</p>
        <p>
          <Link to="/">Go to your home page</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Sorry, there is a problem with the service</h1>
      <p>Try again later.</p>
      <p>Nothing you entered has been lost if you were only viewing pages. If you were saving a change, check whether it was saved.</p>
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </>
  );
}
